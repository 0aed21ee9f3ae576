/**
 * Finding and loading CIFAR-10 from a directory: the six batch files become one uint8 training
 * split and one test split, plus the class names and the training mean image.
 */
import { existsSync, statSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DataError } from '../errors.js';
import {
  CIFAR10_CLASS_NAMES,
  CIFAR10_IMAGE_BYTES,
  CIFAR10_META_FILE,
  CIFAR10_NUM_CLASSES,
  CIFAR10_RECORD_BYTES,
  CIFAR10_TEST_FILE,
  CIFAR10_TRAIN_FILES,
  type Cifar10FormatOptions,
  expectedRecordsOf,
} from './cifar10-format.js';
import { readCifar10BatchInto } from './cifar10-read.js';
import { assertRegularFile, DATA_FILE_OPEN_FLAGS, describeFileKind, existingRegularFile } from './file-kind.js';
import { Cifar10Split, type Cifar10 } from './cifar10-split.js';
import { computeMeanImage } from './preprocess.js';

export { Cifar10Split, type Cifar10 } from './cifar10-split.js';

/** The sub-folder name the official archive extracts to. */
export const CIFAR10_BATCHES_DIR = 'cifar-10-batches-bin';

/** Where the six batch files of a CIFAR-10 copy are. */
export interface Cifar10Files {
  /** The folder that directly holds the `.bin` files. */
  dir: string;
  /** `data_batch_1.bin` … `data_batch_5.bin`, in order. */
  train: string[];
  test: string;
  /** `batches.meta.txt`, when the folder has one. */
  meta: string | undefined;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** `dir`'s stats, or undefined when nothing is there. */
function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function missingFiles(dir: string): string[] {
  return [...CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE]
    .map((name) => join(dir, name))
    .filter((path) => !existsSync(path));
}

/**
 * Finds the batch files under `dir`, which may hold `cifar-10-batches-bin/` (the archive's
 * layout) or the `.bin` files themselves. Only checks that the files exist; sizes and labels
 * are checked when they are read.
 * @throws DataError naming the missing path(s) and what to put there
 */
export function locateCifar10(dir: string): Cifar10Files {
  const root = resolve(dir);
  const rootStats = statOrUndefined(root);
  if (rootStats !== undefined && !rootStats.isDirectory()) {
    throw new DataError(
      `CIFAR-10 directory ${root} is ${describeFileKind(rootStats)}, not a folder: give the folder ` +
        `that holds ${CIFAR10_BATCHES_DIR}/ or the six .bin files`,
    );
  }
  if (rootStats === undefined) {
    throw new DataError(
      `CIFAR-10 directory ${root} does not exist: create it and put the CIFAR-10 binary files ` +
        `there (${CIFAR10_BATCHES_DIR}/ from cifar-10-binary.tar.gz, or its six .bin files)`,
    );
  }
  // The archive's layout first, then the files directly in `dir`; when neither is complete,
  // report against the sub-folder if it exists (it is where the files were meant to be).
  const nested = join(root, CIFAR10_BATCHES_DIR);
  const hasNested = isDirectory(nested);
  const candidates = hasNested ? [nested, root] : [root];
  const candidate = candidates.find((c) => missingFiles(c).length === 0);
  if (candidate === undefined) {
    const where = hasNested ? nested : `${root} (or in ${nested})`;
    throw new DataError(
      `CIFAR-10 files missing: ${missingFiles(hasNested ? nested : root).join(', ')}. Put ` +
        `data_batch_1.bin … data_batch_5.bin and test_batch.bin (from cifar-10-binary.tar.gz) ` +
        `in ${where}`,
    );
  }
  const meta = join(candidate, CIFAR10_META_FILE);
  const files = {
    dir: candidate,
    train: CIFAR10_TRAIN_FILES.map((name) => join(candidate, name)),
    test: join(candidate, CIFAR10_TEST_FILE),
    meta: existingRegularFile(meta, 'CIFAR-10 class-name file') ? meta : undefined,
  };
  // Each file's kind before anything is opened (a named pipe would block the read).
  for (const file of [...files.train, files.test]) existingRegularFile(file, 'CIFAR-10 batch file');
  return files;
}

async function readClassNames(meta: string | undefined): Promise<readonly string[]> {
  if (meta === undefined) return CIFAR10_CLASS_NAMES;
  let text: string;
  const handle = await open(meta, DATA_FILE_OPEN_FLAGS);
  try {
    assertRegularFile(meta, await handle.stat(), 'CIFAR-10 class-name file');
    text = await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
  const names = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  if (names.length !== CIFAR10_NUM_CLASSES) {
    throw new DataError(
      `${meta} lists ${names.length} class names, expected ${CIFAR10_NUM_CLASSES} (one per line)`,
    );
  }
  return names;
}

async function readSplit(
  files: readonly string[],
  options: Cifar10FormatOptions | undefined,
  scratch: Uint8Array,
): Promise<Cifar10Split> {
  const perFile = expectedRecordsOf(options);
  const n = perFile * files.length;
  const out = { labels: new Uint8Array(n), pixels: new Uint8Array(n * CIFAR10_IMAGE_BYTES) };
  // One file at a time into one scratch buffer: peak memory is the split plus one file.
  for (const [k, file] of files.entries()) {
    await readCifar10BatchInto(file, out, k * perFile, { ...options, scratch });
  }
  return new Cifar10Split(out.labels, out.pixels);
}

/**
 * Loads CIFAR-10 from `dir` (holding `cifar-10-batches-bin/` or the `.bin` files directly).
 * Each file is read whole and copied record by record into one uint8 array per split.
 * @throws DataError for a missing file, a file of the wrong size, or a label above 9
 */
export async function loadCifar10(dir: string, options?: Cifar10FormatOptions): Promise<Cifar10> {
  const files = locateCifar10(dir);
  const scratch = new Uint8Array(expectedRecordsOf(options) * CIFAR10_RECORD_BYTES);
  const train = await readSplit(files.train, options, scratch);
  const test = await readSplit([files.test], options, scratch);
  return {
    dir: files.dir,
    train,
    test,
    classNames: await readClassNames(files.meta),
    mean: computeMeanImage(train.pixels),
  };
}
