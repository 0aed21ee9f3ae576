// Trainer.predict (what the web demo shows beside each test image): softmax probabilities of
// the model in eval mode that agree with evaluate()'s loss and correct count on the same images,
// and that leave the model as it was (weights, BatchNorm running statistics, the next step).
import { describe, expect, it } from 'vitest';
import { getBackend, Rng, train } from '../../src/index.js';
import { cifar10FromBytes } from '../../src/data/cifar10-bytes.js';
import { batchBytes } from '../data/helpers.js';

const RECORDS = 8;
const data = cifar10FromBytes(
  { train: [0, 1, 2, 3, 4].map((f) => batchBytes(f, RECORDS)), test: batchBytes(5, RECORDS) },
  { expectedRecords: RECORDS },
);
const batchOf = (split: typeof data.train, indices: number[]) => {
  const ix = Uint32Array.from(indices);
  return train.imageBatch(split, data.mean, ix, Uint8Array.from(indices, (i) => split.labels[i]!));
};
const snapshot = (model: train.Trainable) =>
  Object.fromEntries(Object.entries(model.stateDict()).map(([name, t]) => [name, Array.from(t.toArray())]));

describe.each(['numpy', '1', '2', 'convnet'])('setup %s: predict', (name) => {
  const setup = train.getSetup(name);
  // The float64 js backend is the reference, but far too slow for a ConvNet step.
  const backend = getBackend(name === 'convnet' ? 'wasm' : 'js');
  const build = (lr = setup.defaults.lr) => setup.build({ backend, rng: new Rng(3), lr });
  const rows = name === 'convnet' ? 3 : 6;
  const test = batchOf(data.test, Array.from({ length: rows }, (_, i) => i));

  it('gives probability rows that agree with evaluate() on the same images', () => {
    // A step first, so the weights (and BatchNorm's running statistics) are not the initial ones;
    // a small one, or these unscaled synthetic pixels push some probabilities to 0 (loss ∞).
    const model = build(1e-6);
    model.trainStep(batchOf(data.train, [0, 1, 2, 3]));
    const probs = model.predict(test);
    expect(probs).toBeInstanceOf(Float32Array);
    expect(probs.length).toBe(rows * 10);
    let [nll, correct] = [0, 0];
    for (let r = 0; r < rows; r++) {
      const row = Array.from(probs.subarray(r * 10, r * 10 + 10));
      expect(row.every((p) => p >= 0 && p <= 1)).toBe(true);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      const label = test.labels[r]!;
      nll -= Math.log(row[label]!);
      if (row.indexOf(Math.max(...row)) === label) correct++;
    }
    const evaluated = model.evaluate(test);
    expect(correct).toBe(evaluated.correct);
    expect(nll / rows).toBeCloseTo(evaluated.loss, name === 'convnet' ? 3 : 4);
  });

  // Setup 2 has BatchNorm, whose running statistics a train-mode forward would move; the
  // ConvNet's two steps on millions of weights would only make this slow.
  if (name !== 'convnet') it('changes nothing: the weights, buffers and the next training step are as without it', () => {
    const [a, b] = [build(), build()];
    const first = batchOf(data.train, [0, 1, 2, 3]);
    a.trainStep(first);
    b.trainStep(first);
    const before = snapshot(b);
    b.predict(test);
    expect(snapshot(b)).toEqual(before);
    const next = batchOf(data.train, [4, 5, 6, 7]);
    expect(b.trainStep(next)).toEqual(a.trainStep(next));
  });
});
