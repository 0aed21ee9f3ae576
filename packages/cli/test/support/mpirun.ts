/**
 * Data-parallel runs in tests: `mpirun -n 2 dlp …` as a child process, each step's loss from its
 * JSON lines, and the single-process reference those losses must match.
 */

import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { crossEntropy, data, distributed, getBackend, Rng, Tensor, train } from '@dlp/core';
import { dataDir } from './run-dlp.js';

export const main = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export const haveMpirun = spawnSync('mpirun', ['--version'], { encoding: 'utf8' }).status === 0;

export interface MpirunExit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `mpirun -n 2 … dlp <args>` started (asynchronously: the vitest worker never blocks):
 * `stdoutMatches(re)` resolves once its stdout matches, `exit` when it has ended.
 */
export function startMpirun(args: string[]) {
  const launch = ['--allow-run-as-root', '--oversubscribe', '-n', '2', process.execPath, main, ...args];
  const child = spawn('mpirun', launch, { stdio: ['ignore', 'pipe', 'pipe'] });
  let [stdout, stderr] = ['', ''];
  const waiting: { re: RegExp; resolve: () => void }[] = [];
  child.stdout.setEncoding('utf8').on('data', (c: string) => {
    stdout += c;
    for (const w of waiting.filter((w) => w.re.test(stdout))) w.resolve();
  });
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exit = new Promise<MpirunExit>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  const stdoutMatches = (re: RegExp) => new Promise<void>((resolve) => (re.test(stdout) ? resolve() : waiting.push({ re, resolve })));
  return { child, exit, stdoutMatches };
}

/** Runs `mpirun -n 2 … dlp <args>` to its end. */
export function mpirun(args: string[]): Promise<MpirunExit> {
  return startMpirun(args).exit;
}

/** Each step's train loss (evaluations after every step). */
export const stepLosses = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line))
    .filter((r) => r.event === 'eval')
    .map((r) => r.train_loss as number);

/**
 * The losses of a single process accumulating the gradients of each batch's two shards (seeded
 * with each shard's share of the batch) before every optimiser step: data-parallel training's
 * definition, computed here on one thread.
 */
export async function shardAccumulatedLosses(setup: string, steps: number): Promise<number[]> {
  const backend = getBackend('native');
  const threads = backend.threads;
  backend.setThreads(1);
  try {
    const cifar = await data.openCifar10({ dataDir });
    const preset = train.getSetup(setup);
    const { batchSize, lr } = preset.defaults;
    const trainer = preset.build({ backend, rng: new Rng(42), lr }) as unknown as train.AutogradTrainer;
    const batches = new data.BatchIterator(cifar.train, { batchSize, mean: cifar.mean, rng: new Rng(42 + train.SHUFFLE_SEED_OFFSET) });
    const losses: number[] = [];
    for (let s = 0; s < steps; s++) {
      const { indices, labels } = batches.nextIndices();
      trainer.model.train();
      trainer.optimizer.zeroGrad();
      let sum = 0;
      for (let rank = 0; rank < 2; rank++) {
        const { start, end } = distributed.shardRange(batchSize, rank, 2);
        const x = Tensor.zeros([end - start, 3072], { backend });
        train.imageBatch(cifar.train, cifar.mean, indices.subarray(start, end), labels.subarray(start, end)).loadImages(x);
        const loss = crossEntropy(trainer.model.forward(x), labels.subarray(start, end));
        loss.backward(Tensor.from([(end - start) / batchSize], [], { backend }));
        sum += loss.item() * (end - start);
      }
      trainer.optimizer.step();
      losses.push(sum / batchSize);
    }
    return losses;
  } finally {
    backend.setThreads(threads);
  }
}

export function expectClose(got: number[], want: number[], relative: number): void {
  expect(got).toHaveLength(want.length);
  got.forEach((g, i) => expect(Math.abs(g - want[i]!) / Math.abs(want[i]!), `step ${i + 1}: ${g} vs ${want[i]}`).toBeLessThanOrEqual(relative));
}

