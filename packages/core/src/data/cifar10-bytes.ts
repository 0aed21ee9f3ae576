/**
 * CIFAR-10 from bytes already in memory (no Node APIs): what a browser page has after fetching
 * the `.bin` files or reading them from a picked file. The bytes are decoded into one uint8
 * array per split, as loadCifar10 does from disk.
 */

import { DataError } from '../errors.js';
import {
  CIFAR10_CLASS_NAMES,
  CIFAR10_IMAGE_BYTES,
  CIFAR10_NUM_CLASSES,
  CIFAR10_TEST_FILE,
  CIFAR10_TRAIN_FILES,
  checkCifar10FileSize,
  decodeCifar10Records,
  expectedRecordsOf,
  type Cifar10FormatOptions,
} from './cifar10-format.js';
import { Cifar10Split, type Cifar10 } from './cifar10-split.js';
import { computeMeanImage } from './preprocess.js';

export interface Cifar10Bytes {
  /** data_batch_1.bin … data_batch_5.bin, in that order. */
  train: readonly Uint8Array[];
  /** test_batch.bin. */
  test: Uint8Array;
  /** batches.meta.txt's text, when there is one. */
  meta?: string;
  /** Named in messages and in the result's `dir`, e.g. the URL the files came from. */
  source?: string;
}

/**
 * CIFAR-10 from its six batch files' bytes: the training split (the five files in order), the
 * test split, the class names and the training mean image.
 * @throws DataError naming the file whose size or labels are wrong, or a wrong file count
 */
export function cifar10FromBytes(bytes: Cifar10Bytes, options?: Cifar10FormatOptions): Cifar10 {
  const source = bytes.source ?? 'the CIFAR-10 bytes';
  if (bytes.train.length !== CIFAR10_TRAIN_FILES.length) {
    throw new DataError(`${source}: expected ${CIFAR10_TRAIN_FILES.length} training files (${CIFAR10_TRAIN_FILES.join(', ')}), got ${bytes.train.length}`);
  }
  const train = split(bytes.train, CIFAR10_TRAIN_FILES, source, options);
  const test = split([bytes.test], [CIFAR10_TEST_FILE], source, options);
  return { dir: source, train, test, classNames: classNames(bytes.meta, source), mean: computeMeanImage(train.pixels) };
}

function split(files: readonly Uint8Array[], names: readonly string[], source: string, options?: Cifar10FormatOptions): Cifar10Split {
  const perFile = expectedRecordsOf(options);
  const n = perFile * files.length;
  const out = { labels: new Uint8Array(n), pixels: new Uint8Array(n * CIFAR10_IMAGE_BYTES) };
  files.forEach((file, k) => {
    const name = `${source}: ${names[k]}`;
    checkCifar10FileSize(name, file.length, perFile);
    decodeCifar10Records(file, name, out, k * perFile);
  });
  return new Cifar10Split(out.labels, out.pixels);
}

function classNames(meta: string | undefined, source: string): readonly string[] {
  if (meta === undefined) return CIFAR10_CLASS_NAMES;
  const names = meta.split(/\r?\n/).map((line) => line.trim()).filter((line) => line.length > 0);
  if (names.length !== CIFAR10_NUM_CLASSES) {
    throw new DataError(`${source}: batches.meta.txt lists ${names.length} class names, expected ${CIFAR10_NUM_CLASSES} (one per line)`);
  }
  return names;
}
