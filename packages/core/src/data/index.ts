/**
 * The public data API of @dlp/core: CIFAR-10 reading, preprocessing, batching and locating
 * (with download into a cache). What needs no Node is in portable.ts (the browser entry's data).
 */
export * from './portable.js';
export { readCifar10Batch } from './cifar10-read.js';
export { CIFAR10_BATCHES_DIR, type Cifar10Files, loadCifar10, locateCifar10 } from './cifar10.js';
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
