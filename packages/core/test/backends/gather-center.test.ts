/**
 * gatherCenter (uint8 images gathered by index, minus the mean, into a tensor) on every backend
 * against the plain computation, and BatchIterator.nextIndices against next().
 */

import { describe, expect, it } from 'vitest';
import { data, getBackend, getKernel, Rng, type BackendName } from '../../src/index.js';

const D = 3072;

function syntheticSplit(n: number, seed: number) {
  const rng = new Rng(seed);
  const pixels = Uint8Array.from({ length: n * D }, () => rng.nextInt(256));
  const labels = Uint8Array.from({ length: n }, () => rng.nextInt(10));
  return new data.Cifar10Split(labels, pixels);
}

describe.each(['js', 'native', 'wasm'] as BackendName[])('gatherCenter on %s', (name) => {
  const backend = getBackend(name);
  const split = syntheticSplit(12, 1);
  const mean = data.computeMeanImage(split.pixels);

  it('writes pixel − mean for the indexed images, in index order', () => {
    const indices = Uint32Array.of(11, 0, 5, 5);
    const out = backend.allocate(indices.length * D, 'float32');
    getKernel('gatherCenter', name)(backend, { pixels: split.pixels, indices, mean, out });
    expect(backend.view(out)).toEqual(split.centered(mean, indices));
  });

  it('sees a mean array refilled between calls (the wasm backend keeps the negated mean in wasm memory)', () => {
    const indices = Uint32Array.of(3, 7);
    const refilled = mean.slice();
    const out = backend.allocate(indices.length * D, 'float32');
    getKernel('gatherCenter', name)(backend, { pixels: split.pixels, indices, mean: refilled, out });
    refilled.fill(17.25);
    getKernel('gatherCenter', name)(backend, { pixels: split.pixels, indices, mean: refilled, out });
    expect(backend.view(out)).toEqual(split.centered(refilled, indices));
  });

  it('names an index outside the split and a wrong output size', () => {
    const out = backend.allocate(2 * D, 'float32');
    expect(() => getKernel('gatherCenter', name)(backend, { pixels: split.pixels, indices: Uint32Array.of(0, 12), mean, out })).toThrow(
      'gatherCenter: image index 12 is outside 0..11',
    );
    expect(() => getKernel('gatherCenter', name)(backend, { pixels: split.pixels, indices: Uint32Array.of(0), mean, out })).toThrow(
      /gatherCenter: out should hold 1x3072 = 3072 elements but holds 6144/,
    );
  });
});

describe('BatchIterator.nextIndices', () => {
  it('serves the same batches as next(), across a reshuffle', () => {
    const split = syntheticSplit(10, 2);
    const mean = data.computeMeanImage(split.pixels);
    const full = new data.BatchIterator(split, { batchSize: 4, mean, seed: 7 });
    const lean = new data.BatchIterator(split, { batchSize: 4, mean, seed: 7 });
    for (let step = 0; step < 7; step++) {
      const a = full.next();
      const b = lean.nextIndices();
      expect(b.indices).toEqual(a.indices);
      expect(b.labels).toEqual(a.labels);
    }
    expect(lean.epoch).toBe(full.epoch);
    expect(lean.epoch).toBeGreaterThan(1);
  });
});
