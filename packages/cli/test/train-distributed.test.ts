/**
 * `mpirun -n 2 dlp train … --distributed mpi` on the real CIFAR-10: two processes (one thread
 * each) train one model. Each step's loss must be the one a single process gets by
 * accumulating the gradients of the two shards of each batch before its optimiser step (which
 * is what data-parallel training computes: BatchNorm normalises each shard by itself, as in
 * PyTorch's DDP), within 1e-5; for setup 1, which has no BatchNorm, that is also a plain single
 * process's loss. Only rank 0 writes; a rank that fails ends the job with a line from each.
 */

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { crossEntropy, data, distributed, getBackend, Rng, Tensor, train } from '@dlp/core';
import { dataDir, haveData, tempDirFactory } from './support/run-dlp.js';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const haveMpirun = spawnSync('mpirun', ['--version'], { encoding: 'utf8' }).status === 0;
const tempDir = tempDirFactory('dlp-distributed');

/** Runs `mpirun -n 2 … dlp <args>` (asynchronously: the vitest worker never blocks). */
function mpirun(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const launch = ['--allow-run-as-root', '--oversubscribe', '-n', '2', process.execPath, main, ...args];
  const child = spawn('mpirun', launch, { stdio: ['ignore', 'pipe', 'pipe'] });
  let [stdout, stderr] = ['', ''];
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** Each step's train loss (evaluations after every step). */
const stepLosses = (stdout: string) =>
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
async function shardAccumulatedLosses(setup: string, steps: number): Promise<number[]> {
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

function expectClose(got: number[], want: number[], relative: number): void {
  expect(got).toHaveLength(want.length);
  got.forEach((g, i) => expect(Math.abs(g - want[i]!) / Math.abs(want[i]!), `step ${i + 1}: ${g} vs ${want[i]}`).toBeLessThanOrEqual(relative));
}

describe.skipIf(!haveData || !haveMpirun)('data-parallel training over MPI, two processes (needs mpirun and ../shared/datasets)', () => {
  it.each([['1'], ['6']])('setup %s: every step’s loss is the shard-accumulated single process’s; only rank 0 writes', async (setup) => {
    const steps = 4;
    const out = join(tempDir(`setup${setup}`), 'run');
    const run = await mpirun(['train', '--setup', setup, '--steps', String(steps), '--eval-freq', '1', '--json', '--out', out, '--data-dir', dataDir, '--distributed', 'mpi']);
    expect(run.code, run.stderr).toBe(0);
    const losses = stepLosses(run.stdout);
    expectClose(losses, await shardAccumulatedLosses(setup, steps), 1e-5);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect(config.distributed).toEqual({ engine: 'mpi', processes: 2 });
    expect(config.backend_detail).toMatch(/1 thread\)/);
    expect(existsSync(join(out, 'model.safetensors'))).toBe(true);
    if (setup === '1') {
      // No BatchNorm: the shards change nothing but the order of the gradient sums.
      const single = spawnSync(process.execPath, [main, 'train', '--setup', '1', '--steps', String(steps), '--eval-freq', '1', '--json', '--out', join(out, '..', 'single'), '--data-dir', dataDir], { encoding: 'utf8' });
      expect(single.status, single.stderr).toBe(0);
      expectClose(losses, stepLosses(single.stdout), 1e-5);
    }
  });

  it('a rank that fails ends the job: its reason from it, one line from each other rank', async () => {
    const out = tempDir('taken');
    writeFileSync(join(out, 'notes.txt'), 'not a run folder');
    // Only rank 0 owns the run folder, so only rank 0 refuses it; rank 1 is waiting for it.
    const run = await mpirun(['train', '--setup', '1', '--steps', '2', '--out', out, '--data-dir', dataDir, '--distributed', 'mpi']);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/^dlp: rank 0 of 2: .*not empty/m);
    expect(run.stderr).toMatch(/^dlp: rank 1 of 2: stopped by mpirun \(another rank failed, or the job was interrupted\)$/m);
  });
});
