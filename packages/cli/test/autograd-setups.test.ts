/**
 * The autograd setups and `dlp reproduce` end to end on the real CIFAR-10: setup 6 learns in
 * 200 steps and saves PyTorch-named weights and BatchNorm buffers; a tiny reproduction writes
 * its results page with a row and plots per setup; bad input ends with one line and exit 2.
 */

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { io } from '@dlp/core';
import { dataDir, dlp, expectCleanFailure, haveData, tempDirFactory } from './support/run-dlp.js';

const tempDir = tempDirFactory('dlp-setups');

describe.skipIf(!haveData)('autograd setups on the real data (needs ../shared/datasets)', () => {
  it('setup 6 (BatchNorm, Adam) learns in 200 steps and saves PyTorch-named state', async () => {
    const out = join(tempDir('setup6'), 'run');
    const run = dlp(['train', '--setup', '6', '--steps', '200', '--eval-freq', '100', '--json', '--out', out, '--data-dir', dataDir]);
    expect(run.code, run.stderr).toBe(0);
    const done = JSON.parse(run.stdout.trim().split('\n').pop()!);
    expect(done).toMatchObject({ event: 'done', setup: '6', steps: 200 });
    expect(done.test_accuracy).toBeGreaterThan(0.3);
    const model = await io.loadSafetensors(join(out, 'model.safetensors'));
    expect(model.tensors['layers.0.running_var']!.shape).toEqual([3072]);
    expect(model.tensors['layers.1.weight']!.shape).toEqual([1024, 3072]);
    expect(model.tensors['layers.13.weight']!.shape).toEqual([10, 64]);
    expect(model.tensors['layers.0.num_batches_tracked']!.data[0]).toBe(200);
  });

  it('dlp reproduce mlp at a tiny scale writes the results page and each run', () => {
    const out = tempDir('reproduce');
    const run = dlp(['reproduce', 'mlp', '--steps-scale', '0.01', '--setups', 'numpy,1', '--out', out, '--data-dir', dataDir]);
    expect(run.code, run.stderr).toBe(0);
    const page = readFileSync(join(out, 'mlp.md'), 'utf8');
    expect(page).toMatch(/`pnpm dlp reproduce mlp --steps-scale 0\.01 --setups numpy,1`/);
    expect(page).toMatch(/^\| numpy \| 100 \| – \| sgd \| elu \| 0\.001 \| 200 \| 14 \| 0\.\d{4} \| 0\.491 \| 0\.484 \|/m);
    expect(page).toMatch(/^\| 1 \| 100 \| none \| sgd \| elu \| 0\.001 \| 200 \| 14 \| 0\.\d{4} \| 0\.464 \| 0\.457 \|/m);
    for (const setup of ['numpy', '1']) {
      for (const file of ['metrics.jsonl', 'loss.png', 'accuracy.png', 'config.json']) expect(existsSync(join(out, 'mlp', setup, file))).toBe(true);
      expect(page).toContain(`![accuracy](mlp/${setup}/accuracy.png)`);
    }
  });
});

describe('dlp reproduce, bad input', () => {
  it('names what is wrong', () => {
    expectCleanFailure(['reproduce'], /reproduce: say what to reproduce \(mlp, all, transfer\)/);
    expectCleanFailure(['reproduce', 'cnn'], /unknown experiment group 'cnn'/);
    expectCleanFailure(['reproduce', 'mlp', '--steps-scale', '0'], /--steps-scale must be a positive number, got '0'/);
    expectCleanFailure(['reproduce', 'mlp', '--setups', '1,12'], /unknown setup '12'/);
    expectCleanFailure(['reproduce', 'transfer', '--setups', '1'], /reproduce transfer: --setups does not apply/);
    expectCleanFailure(['reproduce', 'all', '--setups', 'convnet,nope'], /unknown setup 'nope'/);
  });
});
