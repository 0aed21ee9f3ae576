/**
 * The part of the data API that needs no Node (the browser entry's `data`): CIFAR-10's format,
 * decoding from bytes in memory, the uint8 splits, preprocessing and batching, and the tar
 * reader (a page unpacks the official archive with it after DecompressionStream('gzip')).
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
} from './cifar10-format.js';
export { cifar10FromBytes, type Cifar10Bytes } from './cifar10-bytes.js';
export { type Cifar10, Cifar10Split } from './cifar10-split.js';
export { centerImages, computeMeanImage, type ImageSelection } from './preprocess.js';
export { type Batch, BatchIterator, type BatchIteratorOptions, type BatchIteratorState } from './batches.js';
export { readTar, type TarEntry, type TarSink } from './tar.js';
export { classBalance, type ClassBalance, degenerateDataProblem } from './degenerate.js';
