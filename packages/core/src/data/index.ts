/**
 * The public data API of @dlp/core: CIFAR-10 reading, preprocessing, batching and locating
 * (with download into a cache).
 */
export {
  CIFAR10_CHANNELS,
  CIFAR10_CLASS_NAMES,
  CIFAR10_IMAGE_BYTES,
  CIFAR10_META_FILE,
  CIFAR10_NUM_CLASSES,
  CIFAR10_RECORD_BYTES,
  CIFAR10_RECORDS_PER_FILE,
  CIFAR10_SIZE,
  CIFAR10_TEST_FILE,
  CIFAR10_TRAIN_FILES,
  type Cifar10Batch,
  type Cifar10FormatOptions,
  parseCifar10Batch,
  readCifar10Batch,
} from './cifar10-format.js';
export {
  CIFAR10_BATCHES_DIR,
  type Cifar10,
  type Cifar10Files,
  Cifar10Split,
  loadCifar10,
  locateCifar10,
} from './cifar10.js';
export { centerImages, computeMeanImage, type ImageSelection } from './preprocess.js';
export { type Batch, BatchIterator, type BatchIteratorOptions } from './batches.js';
export {
  CIFAR10_MD5,
  CIFAR10_URL,
  cifar10CacheDir,
  createProgressReporter,
  type DownloadOptions,
  type DownloadProgress,
  downloadCifar10,
  formatProgress,
  openCifar10,
  type ProgressReporterOptions,
  resolveCifar10,
  type ResolveOptions,
} from './resolve.js';
