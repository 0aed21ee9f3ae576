/**
 * The transfer experiment (train.runTransfer, `dlp reproduce transfer`) end to end on a small
 * CIFAR-10 in memory and a narrow ConvNet: a pretraining run on classes 0–4, its weights without
 * the head, a fine-tuning run on 5–9 that starts from them with a fresh head, a from-scratch run
 * with the same budget, and the page.
 */

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { io, models, optim, train } from '../../src/index.js';
import { cifar10FromBytes } from '../../src/data/cifar10-bytes.js';
import { freezeAllBut, loadPretrained } from '../../src/models/pretrained.js';
import { batchBytes } from '../data/helpers.js';

const RECORDS = 20;
const data = cifar10FromBytes(
  { train: [0, 1, 2, 3, 4].map((f) => batchBytes(f, RECORDS)), test: batchBytes(5, RECORDS), source: 'synthetic' },
  { expectedRecords: RECORDS },
);

train.registerSetup({
  name: 'tiny-transfer',
  description: 'test setup: a narrow ConvNet that takes pretrained weights',
  defaults: { steps: 4, batchSize: 4, lr: 1e-3, evalFreq: 2 },
  referenceAccuracy: 0,
  pytorchAccuracyHere: 0,
  architecture: { kind: 'test' },
  head: 'linear.',
  build: ({ backend, rng, lr, weights, freezeFeatures }) => {
    const model = new models.ConvNet({ backend, rng, channels: [4, 8, 8, 8] });
    if (weights) loadPretrained(model, weights, 'linear.');
    if (freezeFeatures) freezeAllBut(model, 'linear.');
    return new train.AutogradTrainer(model, new optim.Adam(model.parameters().filter((p) => p.requiresGrad), { lr }), { backend, inputShape: [3, 32, 32] });
  },
});

const root = mkdtempSync(join(tmpdir(), 'dlp-transfer-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('runTransfer', () => {
  it('pretrains on 0–4, fine-tunes from the features with a fresh head and trains from scratch on 5–9, and writes the page', async () => {
    const roles: string[] = [];
    const result = await train.runTransfer({
      setup: 'tiny-transfer',
      outDir: root,
      data,
      backend: 'native',
      pretrainSteps: 4,
      pretrainEvalFreq: 2,
      finetuneSteps: 3,
      evalFreq: 1,
      onRun: (role) => roles.push(role),
      command: 'test',
    });
    expect(roles).toEqual(['pretrain', 'finetune', 'scratch']);
    const dir = join(root, 'transfer');

    // Each run saw only its classes: evaluations count the test images of those classes.
    const testLabels = Array.from(data.test.labels);
    expect(result.pretrain.done.steps).toBe(4);
    expect([result.finetune.done.steps, result.scratch.done.steps]).toEqual([3, 3]);
    expect(result.finetune.evals.map((e) => e.step)).toEqual([1, 2, 3]);
    expect(testLabels.some((l) => l < 5) && testLabels.some((l) => l >= 5)).toBe(true);

    // The fine-tuned run started from the pretrained features, without the head.
    const features = join(dir, 'pretrain', 'features.safetensors');
    const saved = await io.loadWeights(features);
    expect(Object.keys(saved.tensors).some((k) => k.startsWith('linear.'))).toBe(false);
    expect(Object.keys(saved.tensors)).toContain('conv0.weight');
    const config = JSON.parse(readFileSync(join(dir, 'finetune', 'config.json'), 'utf8')) as { weights: string; freeze_features: boolean };
    expect(config.weights).toBe(features);
    expect(config.freeze_features).toBe(false);
    expect(JSON.parse(readFileSync(join(dir, 'scratch', 'config.json'), 'utf8')).weights).toBeNull();
    // Same seed, same data order: the two runs differ only by the starting weights.
    expect(result.finetune.evals[0]!.train_loss).not.toBe(result.scratch.evals[0]!.train_loss);

    expect(existsSync(join(dir, 'compare.png'))).toBe(true);
    const page = readFileSync(result.page, 'utf8');
    expect(result.page).toBe(join(root, 'transfer.md'));
    expect(page).toContain('| fine-tune | 5–9 | pretrain, new head | 3 |');
    expect(page).toContain('| scratch | 5–9 | scratch | 3 |');
    expect(page).toContain('![fine-tuned vs from scratch](transfer/compare.png)');
    expect(page).toContain('--weights densenet121.pth');
  });

  it('refuses a setup that takes no pretrained weights', async () => {
    await expect(train.runTransfer({ setup: '1', outDir: root, data })).rejects.toThrow("transfer: setup '1' does not take pretrained weights");
  });
});

describe('reproduceAll', () => {
  it('runs the setups, then the transfer experiment, into one page with every row', async () => {
    const out = join(root, 'all');
    const result = await train.reproduceAll({
      setups: ['tiny-transfer'],
      transfer: { setup: 'tiny-transfer', pretrainSteps: 2, pretrainEvalFreq: 2, finetuneSteps: 2, evalFreq: 1 },
      data,
      backend: 'native',
      outDir: out,
      command: 'pnpm dlp reproduce all --steps-scale 0.01',
      machine: 'test machine',
    });
    expect(result.page).toBe(join(out, 'all.md'));
    expect(result.results.map((r) => r.done.setup)).toEqual(['tiny-transfer']);
    expect(result.transfer?.finetune.done.steps).toBe(2);
    const page = readFileSync(result.page, 'utf8');
    expect(page).toContain('# Every experiment of the CIFAR-10 practical');
    expect(page).toContain('Made by `pnpm dlp reproduce all --steps-scale 0.01`');
    expect(page).toMatch(/^\| tiny-transfer \| test setup: a narrow ConvNet that takes pretrained weights \| 4 \| \d\.\d{4} \|/m);
    expect(page).toMatch(/^\| transfer \| tiny-transfer pretrained on classes 0–4, fine-tuned on 5–9/m);
    expect(page).toContain('| tiny-transfer | ![loss](all/tiny-transfer/loss.png) | ![accuracy](all/tiny-transfer/accuracy.png) |');
    expect(existsSync(join(out, 'all', 'transfer.md'))).toBe(true);
    expect(existsSync(join(out, 'all', 'transfer', 'finetune', 'metrics.jsonl'))).toBe(true);
    expect(page).toContain('[all/transfer.md](all/transfer.md)');
    expect(existsSync(join(out, 'all', 'tiny-transfer', 'model.safetensors'))).toBe(true);
  });
});

describe('runExperiment with pretrained weights', () => {
  it('refuses them for a setup without a head to replace, before reading anything', async () => {
    await expect(train.runExperiment({ setup: '1', weights: '/no/such/file.pth', data })).rejects.toThrow(
      /^setup '1' does not take --weights: only convnet, densenet121(, tiny-transfer)? do$/,
    );
    await expect(train.runExperiment({ setup: 'numpy', freezeFeatures: true, data })).rejects.toThrow("setup 'numpy' does not take --freeze-features");
  });

  it('names a missing weight file in one typed error', async () => {
    await expect(train.runExperiment({ setup: 'tiny-transfer', weights: join(root, 'missing.pth'), data, out: join(root, 'never') })).rejects.toThrow(/missing\.pth/);
    expect(existsSync(join(root, 'never'))).toBe(false);
  });
});
