/**
 * The CIFAR-10 files the page needs, however they arrive (served, picked, unpacked from the
 * archive), and the checks that can be made before the worker decodes them. Errors say what
 * was expected, for the page to show as they are.
 */

import { data, DataError } from '@dlp/core/browser';

/** data_batch_1.bin … data_batch_5.bin, then test_batch.bin: the order cifar10FromBytes takes. */
export const BATCH_FILES: readonly string[] = [...data.CIFAR10_TRAIN_FILES, data.CIFAR10_TEST_FILE];

/** What the page hands to the worker: each array owning its whole ArrayBuffer, so it can be transferred. */
export interface BatchFiles {
  train: Uint8Array[];
  test: Uint8Array;
  /** Where they came from, for messages: a URL, "picked files" or the archive's name. */
  source: string;
}

export type Progress = (loaded: number, total: number) => void;

export const EXPECTED =
  'the six CIFAR-10 binary files (data_batch_1.bin … data_batch_5.bin, test_batch.bin) or the official cifar-10-binary.tar.gz';

/** A batch file's size must be whole records of 1 label byte + 3072 pixel bytes. */
export function checkRecordSize(name: string, size: number): void {
  if (size === 0 || size % data.CIFAR10_RECORD_BYTES !== 0) {
    throw new DataError(
      `${name}: ${size} bytes is not a whole number of CIFAR-10 records (${data.CIFAR10_RECORD_BYTES} bytes each: a label byte and 3072 pixels); expected ${EXPECTED}`,
    );
  }
}

/** The six files in order from a name → bytes map, or a DataError naming the missing ones. */
export function inOrder(files: ReadonlyMap<string, Uint8Array>, source: string, where: string): BatchFiles {
  const missing = BATCH_FILES.filter((name) => !files.has(name));
  if (missing.length > 0) throw new DataError(`${where} lacks ${missing.join(', ')}: expected ${EXPECTED}`);
  const [train, test] = [BATCH_FILES.slice(0, 5).map((name) => files.get(name)!), files.get(BATCH_FILES[5]!)!];
  return { train, test, source };
}
