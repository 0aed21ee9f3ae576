/**
 * `mpirun -n 2 dlp train … --distributed mpi` on the real CIFAR-10 (setup 1: no BatchNorm): two
 * processes (one thread each) train one model, and each step's loss is a single process's, both
 * one that accumulates the two shards' gradients before each step and a plain one, within 1e-5.
 * Only rank 0 writes; a rank that fails ends the job with a line from each; bad input is one line.
 * (With BatchNorm: train-distributed-batchnorm.test.ts.)
 */

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectClose, haveMpirun, main, mpirun, shardAccumulatedLosses, stepLosses } from './support/mpirun.js';
import { dataDir, expectCleanFailure, haveData, tempDirFactory } from './support/run-dlp.js';

const tempDir = tempDirFactory('dlp-distributed');

describe.skipIf(!haveData || !haveMpirun)('data-parallel training over MPI, two processes (needs mpirun and ../shared/datasets)', () => {
  it('setup 1: every step’s loss is a single process’s; only rank 0 writes', async () => {
    const setup = '1';
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
    // No BatchNorm: the shards change nothing but the order of the gradient sums.
    const single = spawnSync(process.execPath, [main, 'train', '--setup', '1', '--steps', String(steps), '--eval-freq', '1', '--json', '--out', join(out, '..', 'single'), '--data-dir', dataDir], { encoding: 'utf8' });
    expect(single.status, single.stderr).toBe(0);
    expectClose(losses, stepLosses(single.stdout), 1e-5);
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

describe.skipIf(!haveMpirun)('--distributed, bad input (needs Open MPI)', () => {
  it('names the engines, and nccl needs the cuda backend (a process alone is a world of one)', () => {
    expectCleanFailure(['train', '--setup', '1', '--distributed', 'gloo'], /^dlp: --distributed must be mpi or nccl, got 'gloo'$/m);
    expectCleanFailure(
      ['train', '--setup', '1', '--distributed', 'nccl', '--backend', 'native', '--data-dir', dataDir],
      /^dlp: rank 0 of 1: --distributed nccl sums GPU buffers: it needs --backend cuda, not native \(use --distributed mpi on the CPU\)$/m,
    );
    expectCleanFailure(['train', '--setup', 'numpy', '--distributed', 'mpi', '--data-dir', dataDir], /rank 0 of 1: --distributed: setup 'numpy' trains by hand-written backprop/);
  });
});
