/**
 * Bad data through the CLI: a data folder that is a file, a named pipe in place of a batch file,
 * and a degenerate set (every label one class, every image zero) end with one line and exit 2;
 * `dlp train` takes a degenerate set only with --allow-degenerate-data.
 */

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dlp, expectCleanFailure, tempDirFactory } from './support/run-dlp.js';

const tempDir = tempDirFactory('dlp-data-faults');
const FILES = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin'];

/** Full-size batch files of zero bytes (sparse: no disk used): every label 0, every pixel 0. */
function blankData(): string {
  const dir = tempDir('blank');
  for (const name of FILES) {
    writeFileSync(join(dir, name), '');
    truncateSync(join(dir, name), 10_000 * 3073);
  }
  return dir;
}

describe('dlp data check / train on bad data', () => {
  it('a --data-dir that is a file is called a file', () => {
    const file = join(tempDir('file'), 'cifar.tar');
    writeFileSync(file, 'x');
    expectCleanFailure(['data', 'check', '--data-dir', file], /cifar\.tar is a regular file, not a folder/);
  });

  it('a named pipe in place of a batch file: one line, no hang', () => {
    const dir = blankData();
    execFileSync('rm', [join(dir, 'data_batch_2.bin')]);
    execFileSync('mkfifo', [join(dir, 'data_batch_2.bin')]);
    expectCleanFailure(['data', 'check', '--data-dir', dir], /data_batch_2\.bin is a named pipe \(FIFO\), not a regular file/);
  });

  it('a directory in place of test_batch.bin', () => {
    const dir = blankData();
    execFileSync('rm', [join(dir, 'test_batch.bin')]);
    mkdirSync(join(dir, 'test_batch.bin'));
    expectCleanFailure(['train', '--setup', '1', '--data-dir', dir, '--steps', '1'], /test_batch\.bin is a directory, not a regular file/);
  });

  it('data check fails on a degenerate set', () => {
    expectCleanFailure(['data', 'check', '--data-dir', blankData()], /is degenerate: all 50000 training labels are class 0 \(airplane\)$/m);
  });

  it('train refuses a degenerate set before writing a run folder, and takes it with --allow-degenerate-data', () => {
    const dir = blankData();
    const out = join(tempDir('out'), 'run');
    expectCleanFailure(['train', '--setup', '1', '--data-dir', dir, '--steps', '1', '--out', out], /pass --allow-degenerate-data to train anyway/);
    expect(existsSync(out)).toBe(false);
    const run = dlp(['train', '--setup', '1', '--data-dir', dir, '--steps', '1', '--eval-freq', '1', '--backend', 'native', '--out', out, '--allow-degenerate-data', '--json']);
    expect(run.stderr).not.toMatch(/degenerate/);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/"event":"done"/);
  });
});
