/**
 * `dlp data check`: finds CIFAR-10 (--data-dir, DLP_DATA_DIR, or the cache, downloading there
 * when missing), reads all six files with their checks, and reports what it found.
 */

import { data, DataError } from '@dlp/core';
import { performance } from 'node:perf_hooks';
import { noPositionals, parseFlags, stringFlag, type FlagSpec } from '../args.js';

export const DATA_CHECK_HELP = `Usage: dlp data check [--data-dir DIR] [--json]

Finds CIFAR-10 and reads every file, checking sizes and labels, and reports the class
balance. A degenerate set (every label of a split one class, or every image all zeros) fails
with exit code 2: nothing can be learned from it (dlp train refuses it too).
Where it looks: --data-dir, else $DLP_DATA_DIR, else the cache folder
(${'$'}DLP_CACHE_DIR, $XDG_CACHE_HOME/dlp or ~/.cache/dlp), downloading the official archive
there (with progress and an md5 check) when it is missing. DIR may hold
cifar-10-batches-bin/ or the .bin files themselves.

  --data-dir DIR   where the data is (never downloaded into)
  --json           print one JSON object instead of the summary
`;

const flags: FlagSpec = { 'data-dir': { type: 'string' }, json: { type: 'boolean' } };

export async function runDataCheck(argv: string[]): Promise<number> {
  const parsed = parseFlags(argv, flags, 'data check');
  noPositionals(parsed, 'data check');
  const started = performance.now();
  const dataDir = stringFlag(parsed, 'data-dir');
  const cifar = await data.openCifar10({
    ...(dataDir !== undefined ? { dataDir } : {}),
    onProgress: data.createProgressReporter(),
  });
  const seconds = (performance.now() - started) / 1000;
  const degenerate = data.degenerateDataProblem(cifar);
  if (degenerate !== undefined) throw new DataError(`CIFAR-10 in ${cifar.dir} is degenerate: ${degenerate}`);
  const trainBalance = data.classBalance(cifar.train);
  const testBalance = data.classBalance(cifar.test);
  let meanSum = 0;
  for (const v of cifar.mean) meanSum += v;
  const summary = {
    dir: cifar.dir,
    train: cifar.train.length,
    test: cifar.test.length,
    train_per_class: trainBalance.counts,
    test_per_class: testBalance.counts,
    /** Smallest class over largest, per split: 1 when balanced. */
    train_balance: trainBalance.smallest / trainBalance.largest,
    test_balance: testBalance.smallest / testBalance.largest,
    mean_pixel: meanSum / cifar.mean.length,
    load_s: Math.round(seconds * 1000) / 1000,
  };
  if (parsed.values.json === true) {
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return 0;
  }
  const row = (counts: number[]) =>
    counts.map((c, i) => `${cifar.classNames[i]}=${c}`).join(' ');
  const balance = (b: { smallest: number; largest: number }) =>
    `class balance ${(b.smallest / b.largest).toFixed(2)} (smallest class ${b.smallest}, largest ${b.largest})`;
  process.stdout.write(
    `CIFAR-10 in ${summary.dir}\n` +
      `  train: ${summary.train} images  ${row(summary.train_per_class)}\n` +
      `  test:  ${summary.test} images  ${row(summary.test_per_class)}\n` +
      `  train ${balance(trainBalance)}; test ${balance(testBalance)}\n` +
      `  mean training pixel: ${summary.mean_pixel.toFixed(2)} (subtracted per pixel from both splits)\n` +
      `  read and checked in ${summary.load_s.toFixed(2)} s\n`,
  );
  return 0;
}
