/**
 * Data files that are not regular files: a directory or a named pipe where a `.bin` or
 * batches.meta.txt should be is one DataError naming the file and what it is (never a wrong
 * size, never a read that blocks on the pipe), and a --data-dir that is a file is called a file.
 */

import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataError } from '../../src/errors.js';
import { readCifar10Batch } from '../../src/data/cifar10-read.js';
import { loadCifar10, locateCifar10 } from '../../src/data/cifar10.js';
import { ALL_FILES, batchBytes, tempDir } from './helpers.js';

const RECORDS = 2;
const opts = { expectedRecords: RECORDS };

let cleanup: () => void = () => undefined;
afterEach(() => cleanup());

/** A folder with the six batch files (2 records each). */
function dataFolder(): string {
  const made = tempDir('dlp-kind-');
  cleanup = made.cleanup;
  ALL_FILES.forEach((name, f) => writeFileSync(join(made.dir, name), batchBytes(f, RECORDS)));
  return made.dir;
}

function mkfifo(path: string): void {
  rmSync(path, { force: true });
  execFileSync('mkfifo', [path]);
}

function dataError(run: () => unknown): DataError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DataError);
    return error as DataError;
  }
  throw new Error('no error thrown');
}

async function dataErrorAsync(run: () => Promise<unknown>): Promise<DataError> {
  const error = await run().then(() => new Error('no error thrown'), (e: unknown) => e as Error);
  expect(error).toBeInstanceOf(DataError);
  return error as DataError;
}

describe('data files of the wrong kind', () => {
  it('a directory in place of a .bin file', async () => {
    const dir = dataFolder();
    rmSync(join(dir, 'data_batch_3.bin'));
    mkdirSync(join(dir, 'data_batch_3.bin'));
    const error = await dataErrorAsync(() => loadCifar10(dir, opts));
    expect(error.message).toMatch(/data_batch_3\.bin is a directory, not a regular file/);
  });

  it('a named pipe in place of a .bin file is refused without blocking', async () => {
    const dir = dataFolder();
    mkfifo(join(dir, 'test_batch.bin'));
    const error = await dataErrorAsync(() => loadCifar10(dir, opts));
    expect(error.message).toMatch(/test_batch\.bin is a named pipe \(FIFO\), not a regular file/);
  }, 5000);

  it('a named pipe read directly (replaced after the folder was checked) does not block', async () => {
    const dir = dataFolder();
    const fifo = join(dir, 'data_batch_1.bin');
    mkfifo(fifo);
    const error = await dataErrorAsync(() => readCifar10Batch(fifo, opts));
    expect(error.message).toMatch(/data_batch_1\.bin is a named pipe \(FIFO\)/);
  }, 5000);

  it('a named pipe or a directory in place of batches.meta.txt', async () => {
    const dir = dataFolder();
    mkfifo(join(dir, 'batches.meta.txt'));
    expect(dataError(() => locateCifar10(dir)).message).toMatch(/batches\.meta\.txt is a named pipe \(FIFO\), not a regular file/);
    rmSync(join(dir, 'batches.meta.txt'));
    mkdirSync(join(dir, 'batches.meta.txt'));
    expect(dataError(() => locateCifar10(dir)).message).toMatch(/batches\.meta\.txt is a directory, not a regular file/);
  }, 5000);

  it('a --data-dir that is a file is called a file, not missing', () => {
    const dir = dataFolder();
    const file = join(dir, 'data_batch_1.bin');
    const message = dataError(() => locateCifar10(file)).message;
    expect(message).toMatch(/data_batch_1\.bin is a regular file, not a folder/);
    expect(message).not.toMatch(/does not exist/);
  });

  it('a missing --data-dir still says it does not exist', () => {
    const dir = dataFolder();
    expect(dataError(() => locateCifar10(join(dir, 'nope'))).message).toMatch(/nope does not exist/);
  });
});
