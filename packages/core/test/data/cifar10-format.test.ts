import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ArgumentError, DataError } from '../../src/errors.js';
import { parseCifar10Batch } from '../../src/data/cifar10-format.js';
import { readCifar10Batch } from '../../src/data/cifar10-read.js';
import { IMAGE, RECORD, batchBytes, labelOf, pixelOf, tempDir } from './helpers.js';

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});

describe('parseCifar10Batch', () => {
  it('splits records into labels and CHW pixels', () => {
    const { labels, pixels } = parseCifar10Batch(batchBytes(2, 4), 'x.bin', { expectedRecords: 4 });
    expect(Array.from(labels)).toEqual([0, 1, 2, 3].map((r) => labelOf(2, r)));
    expect(pixels.length).toBe(4 * IMAGE);
    // Spot-check the first R, G and B byte and the last byte of each record.
    for (let r = 0; r < 4; r++) {
      for (const j of [0, 1024, 2048, IMAGE - 1])
        expect(pixels[r * IMAGE + j]).toBe(pixelOf(2, r, j));
    }
  });

  it('refuses a truncated file, naming it, its size and the expected size', () => {
    const bytes = batchBytes(0, 3).subarray(0, 3 * RECORD - 5);
    expect(() => parseCifar10Batch(bytes, '/d/data_batch_3.bin', { expectedRecords: 3 })).toThrow(
      new DataError(
        `/d/data_batch_3.bin is truncated: ${3 * RECORD - 5} bytes, expected ${3 * RECORD} (3 records of ${RECORD} bytes)`,
      ),
    );
  });

  it('expects 10 000 records by default', () => {
    expect(() => parseCifar10Batch(batchBytes(0, 2), 'data_batch_1.bin')).toThrow(
      /data_batch_1\.bin is truncated: 6146 bytes, expected 30730000 \(10000 records of 3073 bytes\)/,
    );
  });

  it('refuses a file that is too large', () => {
    expect(() => parseCifar10Batch(batchBytes(0, 3), 't.bin', { expectedRecords: 2 })).toThrow(
      /t\.bin is too large: 9219 bytes, expected 6146/,
    );
  });

  it('refuses a label above 9, naming the file, the record and the label', () => {
    const bytes = batchBytes(1, 3);
    bytes[2 * RECORD] = 10;
    expect(() => parseCifar10Batch(bytes, 'test_batch.bin', { expectedRecords: 3 })).toThrow(
      new DataError('test_batch.bin: record 2 has label 10, expected 0..9'),
    );
  });

  it('rejects a non-positive expectedRecords', () => {
    expect(() => parseCifar10Batch(new Uint8Array(0), 'a.bin', { expectedRecords: 0 })).toThrow(
      ArgumentError,
    );
  });
});

describe('readCifar10Batch', () => {
  it('reads a file from disk like parseCifar10Batch', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const file = join(dir, 'data_batch_1.bin');
    writeFileSync(file, batchBytes(0, 5));
    const batch = await readCifar10Batch(file, { expectedRecords: 5 });
    expect(batch).toEqual(parseCifar10Batch(batchBytes(0, 5), file, { expectedRecords: 5 }));
  });

  it('checks the size on disk and names the path', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const file = join(dir, 'data_batch_3.bin');
    writeFileSync(file, batchBytes(0, 5).subarray(0, 1234));
    await expect(readCifar10Batch(file, { expectedRecords: 5 })).rejects.toThrow(
      new DataError(
        `${file} is truncated: 1234 bytes, expected ${5 * RECORD} (5 records of ${RECORD} bytes)`,
      ),
    );
  });

  it('turns a missing file into a DataError naming it', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const file = join(dir, 'nope.bin');
    const err = await readCifar10Batch(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toContain(file);
  });
});
