/**
 * Reading CIFAR-10 batch files from disk (Node): each file's size is checked before it is read,
 * then its records are decoded as cifar10-format.ts does for bytes from anywhere.
 */

import { open } from 'node:fs/promises';
import { DataError } from '../errors.js';
import { assertRegularFile, DATA_FILE_OPEN_FLAGS } from './file-kind.js';
import {
  CIFAR10_IMAGE_BYTES,
  CIFAR10_RECORD_BYTES,
  checkCifar10FileSize,
  decodeCifar10Records,
  expectedRecordsOf,
  type Cifar10Batch,
  type Cifar10FormatOptions,
} from './cifar10-format.js';

/**
 * Reads one batch file into `out` at record `at`, checking its size before reading it.
 * @param scratch a buffer of at least the file's size to read into, reused across files
 * @returns the number of records read
 */
export async function readCifar10BatchInto(
  file: string,
  out: Cifar10Batch,
  at: number,
  options?: Cifar10FormatOptions & { scratch?: Uint8Array },
): Promise<number> {
  const records = expectedRecordsOf(options);
  const size = records * CIFAR10_RECORD_BYTES;
  let handle;
  try {
    handle = await open(file, DATA_FILE_OPEN_FLAGS);
  } catch (err) {
    throw new DataError(`cannot open ${file}: ${(err as Error).message}`);
  }
  try {
    const stats = await handle.stat();
    assertRegularFile(file, stats, 'CIFAR-10 batch file');
    checkCifar10FileSize(file, stats.size, records);
    const scratch = options?.scratch;
    const bytes =
      scratch !== undefined && scratch.length >= size
        ? scratch.subarray(0, size)
        : new Uint8Array(size);
    let filled = 0;
    while (filled < size) {
      const { bytesRead } = await handle.read(bytes, filled, size - filled, filled);
      // The size was checked, so an early end means the file shrank while we read it.
      if (bytesRead === 0) checkCifar10FileSize(file, filled, records);
      filled += bytesRead;
    }
    return decodeCifar10Records(bytes, file, out, at);
  } finally {
    await handle.close();
  }
}

/** Reads and parses one batch file (see {@link parseCifar10Batch}). */
export async function readCifar10Batch(
  file: string,
  options?: Cifar10FormatOptions,
): Promise<Cifar10Batch> {
  const records = expectedRecordsOf(options);
  const out: Cifar10Batch = {
    labels: new Uint8Array(records),
    pixels: new Uint8Array(records * CIFAR10_IMAGE_BYTES),
  };
  await readCifar10BatchInto(file, out, 0, options);
  return out;
}
