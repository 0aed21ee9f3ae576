/**
 * Training parity with PyTorch (fixtures/setup6_training.json, make_setup6_fixture.py): setup 6
 * (BatchNorm before each Linear, 3072-1024-512-256-64-10, ELU, Adam 1e-3, batch 128) from the
 * same initial weights (dlp's Rng(42), rebuilt in the fixture script) on the same 20 batches
 * of the real CIFAR-10: every step's loss within 1e-3 of PyTorch's.
 */

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadCifar10 } from '../../src/data/cifar10.js';
import { getBackend, models, nn, optim, Rng, train } from '../../src/index.js';
import { readFixture } from '../support/fixtures.js';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', '..');
const datasets = resolve(repoRoot, '..', 'shared', 'datasets');
const hasData = existsSync(resolve(datasets, 'cifar-10-batches-bin'));

const fx = readFixture<{
  hidden: number[];
  batch_size: number;
  steps: number;
  seed: number;
  init_sha256: string;
  labels: number[];
  first_batch_sum: number;
  rng_check: { seed: number; next_float: number[] };
  losses: number[];
}>('setup6_training.json');

it("the fixture script's port of Rng draws the same numbers", () => {
  const rng = new Rng(fx.rng_check.seed);
  expect(fx.rng_check.next_float.map(() => rng.nextFloat())).toEqual(fx.rng_check.next_float);
});

function buildSetup6(backendName: 'native' | 'wasm') {
  const backend = getBackend(backendName);
  const model = new models.MlpClassifier(
    { inputs: 3072, hidden: fx.hidden, classes: 10, norm: 'batchnorm', activation: 'elu' },
    { backend, rng: new Rng(fx.seed) },
  );
  return { backend, model };
}

it('nn.Linear draws the initial weights the fixture was trained from (sha256 of every value)', () => {
  const { model } = buildSetup6('native');
  const hash = createHash('sha256');
  const linears = model.layers.layers.filter((layer): layer is nn.Linear => layer instanceof nn.Linear);
  expect(linears).toHaveLength(5);
  for (const layer of linears) {
    for (const t of [layer.weight, layer.bias!]) hash.update(new Uint8Array(Float32Array.from(t.toArray()).buffer));
  }
  expect(hash.digest('hex')).toBe(fx.init_sha256);
});

describe.each(['native', 'wasm'] as const)('setup 6 trains like PyTorch on %s', (backendName) => {
  it.skipIf(!hasData)(`20 steps from the same weights and batches: losses within 1e-3 (needs ../shared/datasets)`, async () => {
    const cifar = await loadCifar10(datasets);
    const { backend, model } = buildSetup6(backendName);
    const trainer = new train.AutogradTrainer(model, new optim.Adam(model.parameters(), { lr: 1e-3 }), { backend });
    const losses: number[] = [];
    for (let step = 0; step < fx.steps; step++) {
      const indices = Uint32Array.from({ length: fx.batch_size }, (_, i) => step * fx.batch_size + i);
      const labels = cifar.train.labels.subarray(step * fx.batch_size, (step + 1) * fx.batch_size);
      expect(Array.from(labels)).toEqual(fx.labels.slice(step * fx.batch_size, (step + 1) * fx.batch_size));
      losses.push(trainer.trainStep(train.imageBatch(cifar.train, cifar.mean, indices, labels)).loss);
    }
    const worst = Math.max(...losses.map((l, i) => Math.abs(l - fx.losses[i]!)));
    expect(worst).toBeLessThan(1e-3);
  }, 120_000);
});
