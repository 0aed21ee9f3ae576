/**
 * `dlp train` end to end on the real CIFAR-10 (../shared/datasets beside the repo): a short
 * numpy-setup run must learn (test accuracy > 0.30 after 300 steps) and honour the output
 * contract; bad input ends with one line and exit code 2; a diverging run keeps its metrics.
 */

import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { io } from '@dlp/core';
import { dataDir, dlp, expectCleanFailure, haveData, tempDirFactory } from './support/run-dlp.js';

const tempDir = tempDirFactory('dlp-train');

describe.skipIf(!haveData)('dlp train --setup numpy on the real data (needs ../shared/datasets)', () => {
  it('learns in 300 steps (test accuracy > 0.30) and writes the whole run folder', async () => {
    const out = join(tempDir('short'), 'run');
    const run = dlp(['train', '--setup', 'numpy', '--steps', '300', '--eval-freq', '100', '--json', '--out', out, '--data-dir', dataDir]);
    expect(run.code, run.stderr).toBe(0);

    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const evals = lines.filter((l) => l.event === 'eval');
    expect(evals.map((e) => e.step)).toEqual([1, 101, 201, 300]);
    for (const e of evals) {
      expect(Object.keys(e).sort()).toEqual(['event', 'step', 'test_accuracy', 'test_loss', 'train_accuracy', 'train_loss']);
    }
    const done = lines[lines.length - 1]!;
    expect(done).toMatchObject({ event: 'done', setup: 'numpy', steps: 300, backend: 'native' });
    expect(Object.keys(done).sort()).toEqual(['backend', 'event', 'setup', 'steps', 'test_accuracy', 'test_loss', 'train_steps_per_s', 'wall_s']);
    expect(done.test_accuracy).toBeGreaterThan(0.3);
    expect(done.test_accuracy).toBe(evals[evals.length - 1]!.test_accuracy);
    // The loss fell from chance level (ln 10 ≈ 2.30).
    expect(evals[0]!.test_loss as number).toBeGreaterThan(2.2);
    expect(evals[3]!.test_loss as number).toBeLessThan(2.0);

    const metrics = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(metrics).toEqual(evals);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ setup: 'numpy', steps: 300, batchSize: 200, lr: 0.001, evalFreq: 100, seed: 42, backend: 'native' });
    for (const png of ['loss.png', 'accuracy.png']) expect(statSync(join(out, png)).size).toBeGreaterThan(10_000);
    const model = await io.loadSafetensors(join(out, 'model.safetensors'));
    expect(Object.keys(model.tensors).sort()).toEqual(['layers.0.bias', 'layers.0.weight', 'layers.2.bias', 'layers.2.weight']);
    expect(model.tensors['layers.0.weight']!.shape).toEqual([100, 3072]);
    expect(model.tensors['layers.2.weight']!.shape).toEqual([10, 100]);
  });

  it('stops a diverging run naming the step, keeping the metrics measured so far', () => {
    const out = join(tempDir('diverge'), 'run');
    const run = dlp(['train', '--setup', 'numpy', '--steps', '60', '--eval-freq', '1', '--lr', '1e5', '--json', '--out', out, '--data-dir', dataDir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/dlp: training diverged: the loss became (NaN|Infinity) at step \d+/);
    const step = Number(/at step (\d+)/.exec(run.stderr)![1]);
    const metrics = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').filter(Boolean);
    expect(metrics).toHaveLength(step - 1);
  });
});

describe('dlp train, bad input', () => {
  it('names what is wrong', () => {
    expectCleanFailure(['train'], /--setup is required/);
    expectCleanFailure(['train', '--setup', 'resnet9000'], /unknown setup 'resnet9000': expected one of numpy/);
    expectCleanFailure(['train', '--setup', 'numpy', '--lr', '-1'], /--lr must be a positive number, got -1/);
    expectCleanFailure(['train', '--setup', 'numpy', '--lr', 'fast'], /--lr must be a number, got 'fast'/);
    expectCleanFailure(['train', '--setup', 'numpy', '--steps', '0'], /--steps must be a positive integer, got '0'/);
    expectCleanFailure(['train', '--setup', 'numpy', '--backend', 'tpu'], /unknown backend 'tpu'/);
    expectCleanFailure(['train', '--setup', 'numpy', '--data-dir', tempDir('empty')], /data_batch_1\.bin/);
  });

  it('writes nothing for input refused up front', () => {
    const out = join(tempDir('refused'), 'run');
    dlp(['train', '--setup', 'numpy', '--lr', '-1', '--out', out]);
    expect(existsSync(out)).toBe(false);
  });
});
