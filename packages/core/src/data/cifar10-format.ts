/**
 * The CIFAR-10 binary format (`cifar-10-binary.tar.gz`): constants, and decoding one batch
 * file's bytes into labels and CHW uint8 pixels, with errors that name the file at fault.
 */
import { ArgumentError, DataError } from '../errors.js';

/** Image side in pixels. */
export const CIFAR10_SIZE = 32;
/** Colour planes per image (R, G, B), stored one after the other. */
export const CIFAR10_CHANNELS = 3;
/** Pixel bytes per image: 3 planes of 32×32, i.e. one CHW image. */
export const CIFAR10_IMAGE_BYTES = CIFAR10_CHANNELS * CIFAR10_SIZE * CIFAR10_SIZE;
/** Bytes per record: one label byte, then the image. */
export const CIFAR10_RECORD_BYTES = 1 + CIFAR10_IMAGE_BYTES;
/** Records in each official batch file. */
export const CIFAR10_RECORDS_PER_FILE = 10_000;
/** Number of classes; labels are 0..9. */
export const CIFAR10_NUM_CLASSES = 10;
/** The five training files, in the order their records make up the training set. */
export const CIFAR10_TRAIN_FILES = [
  'data_batch_1.bin',
  'data_batch_2.bin',
  'data_batch_3.bin',
  'data_batch_4.bin',
  'data_batch_5.bin',
] as const;
/** The test file. */
export const CIFAR10_TEST_FILE = 'test_batch.bin';
/** The file listing the class names, one per line, in label order. */
export const CIFAR10_META_FILE = 'batches.meta.txt';
/** The standard class names, used when `batches.meta.txt` is absent. */
export const CIFAR10_CLASS_NAMES: readonly string[] = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
];

/** One batch file, decoded: `labels[i]` in 0..9, `pixels` = records × 3072 bytes (CHW each). */
export interface Cifar10Batch {
  labels: Uint8Array;
  pixels: Uint8Array;
}

/** Options for reading batch files. */
export interface Cifar10FormatOptions {
  /**
   * Records each file must hold (default 10 000, the official size). Tests use a few records
   * per file; anything else is refused as truncated or oversized.
   */
  expectedRecords?: number;
}

/** The checked `expectedRecords` option. */
export function expectedRecordsOf(options: Cifar10FormatOptions | undefined): number {
  const n = options?.expectedRecords ?? CIFAR10_RECORDS_PER_FILE;
  if (!Number.isInteger(n) || n < 1) {
    throw new ArgumentError(`expectedRecords must be a positive integer, got ${n}`);
  }
  return n;
}

/** Throws the DataError for a batch file of `size` bytes unless it holds exactly `records`. */
export function checkCifar10FileSize(file: string, size: number, records: number): void {
  const expected = records * CIFAR10_RECORD_BYTES;
  if (size === expected) return;
  const what = size < expected ? 'is truncated' : 'is too large';
  throw new DataError(
    `${file} ${what}: ${size} bytes, expected ${expected} ` +
      `(${records} records of ${CIFAR10_RECORD_BYTES} bytes)`,
  );
}

/**
 * Decodes whole records from `bytes` into `out` starting at record `at` (so several files fill
 * one training array without an intermediate copy). `bytes` must hold whole records; every
 * label is checked to be 0..9.
 * @returns the number of records decoded
 */
export function decodeCifar10Records(
  bytes: Uint8Array,
  file: string,
  out: Cifar10Batch,
  at = 0,
): number {
  const records = Math.floor(bytes.length / CIFAR10_RECORD_BYTES);
  if (records * CIFAR10_RECORD_BYTES !== bytes.length) {
    throw new ArgumentError(`${file}: ${bytes.length} bytes is not a whole number of records`);
  }
  if (
    at < 0 ||
    at + records > out.labels.length ||
    (at + records) * CIFAR10_IMAGE_BYTES > out.pixels.length
  ) {
    throw new ArgumentError(`${file}: ${records} records do not fit the output at record ${at}`);
  }
  for (let r = 0; r < records; r++) {
    const offset = r * CIFAR10_RECORD_BYTES;
    const label = bytes[offset]!;
    if (label >= CIFAR10_NUM_CLASSES) {
      throw new DataError(
        `${file}: record ${r} has label ${label}, expected 0..${CIFAR10_NUM_CLASSES - 1}`,
      );
    }
    out.labels[at + r] = label;
    // One native block copy per record: the pixels are already in CHW order.
    out.pixels.set(
      bytes.subarray(offset + 1, offset + CIFAR10_RECORD_BYTES),
      (at + r) * CIFAR10_IMAGE_BYTES,
    );
  }
  return records;
}

/**
 * Parses one batch file's bytes.
 * @param bytes the whole file
 * @param file the file's path, used in error messages
 * @throws DataError if the size is not `expectedRecords` records or a label is above 9
 */
export function parseCifar10Batch(
  bytes: Uint8Array,
  file: string,
  options?: Cifar10FormatOptions,
): Cifar10Batch {
  const records = expectedRecordsOf(options);
  checkCifar10FileSize(file, bytes.length, records);
  const out: Cifar10Batch = {
    labels: new Uint8Array(records),
    pixels: new Uint8Array(records * CIFAR10_IMAGE_BYTES),
  };
  decodeCifar10Records(bytes, file, out, 0);
  return out;
}
