import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../../src/errors.js';
import { Rng } from '../../src/random.js';
import { BatchIterator } from '../../src/data/batches.js';
import { Cifar10Split } from '../../src/data/cifar10.js';
import { IMAGE } from './helpers.js';

/** N images whose every byte is 2·i + 1 (so a row identifies its image), labels i mod 10. */
function split(n: number): Cifar10Split {
  const pixels = new Uint8Array(n * IMAGE);
  for (let i = 0; i < n; i++) pixels.fill(2 * i + 1, i * IMAGE, (i + 1) * IMAGE);
  return new Cifar10Split(
    Uint8Array.from({ length: n }, (_, i) => i % 10),
    pixels,
  );
}
const mean = new Float32Array(IMAGE).fill(0.5);

const ids = (a: Uint32Array): number[] => Array.from(a);
const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, i) => a + i);

describe('BatchIterator', () => {
  it('serves the first epoch in file order', () => {
    const batches = new BatchIterator(split(12), { batchSize: 4, mean, seed: 1 });
    expect(ids(batches.next().indices)).toEqual([0, 1, 2, 3]);
    expect(ids(batches.next().indices)).toEqual([4, 5, 6, 7]);
    expect(ids(batches.next().indices)).toEqual([8, 9, 10, 11]);
    expect(batches.epoch).toBe(0);
    expect(batches.step).toBe(3);
  });

  it('skips the remainder, reshuffles with the seeded Rng and restarts at 0', () => {
    const batches = new BatchIterator(split(10), { batchSize: 4, mean, seed: 7 });
    batches.next();
    batches.next(); // positions 8, 9 are left: 8 + 4 > 10
    const perm = new Rng(7).permutation(10);
    const third = batches.next();
    expect(batches.epoch).toBe(1);
    expect(ids(third.indices)).toEqual(ids(perm.subarray(0, 4)));
    expect(ids(batches.next().indices)).toEqual(ids(perm.subarray(4, 8)));
    expect(ids(batches.order())).toEqual(ids(perm));
    batches.next();
    expect(batches.epoch).toBe(2);
    expect(batches.step).toBe(5);
  });

  it('serves a batch that ends exactly at N before reshuffling', () => {
    const batches = new BatchIterator(split(8), { batchSize: 4, mean, seed: 3 });
    batches.next();
    expect(ids(batches.next().indices)).toEqual([4, 5, 6, 7]);
    expect(batches.epoch).toBe(0);
    batches.next();
    expect(batches.epoch).toBe(1);
  });

  it('draws a different permutation every epoch, each covering all images', () => {
    const n = 10;
    const batches = new BatchIterator(split(n), { batchSize: 5, mean, seed: 11 });
    const epochs: number[][] = [];
    for (let e = 0; e < 6; e++)
      epochs.push([...ids(batches.next().indices), ...ids(batches.next().indices)]);
    expect(epochs[0]).toEqual(range(0, n));
    for (const order of epochs) expect([...order].sort((a, b) => a - b)).toEqual(range(0, n));
    const distinct = new Set(epochs.map((o) => o.join(',')));
    expect(distinct.size).toBe(6);
  });

  it('gives the same sequence for the same seed and another for another seed', () => {
    const run = (seed: number): number[] => {
      const batches = new BatchIterator(split(9), { batchSize: 2, mean, seed });
      return Array.from({ length: 20 }, () => ids(batches.next().indices)).flat();
    };
    expect(run(5)).toEqual(run(5));
    expect(run(5)).not.toEqual(run(6));
  });

  it('draws from a caller-provided Rng', () => {
    const rng = new Rng(99);
    const batches = new BatchIterator(split(6), { batchSize: 6, mean, rng });
    batches.next();
    const expected = Rng.fromState(rng.state()).permutation(6);
    expect(ids(batches.next().indices)).toEqual(ids(expected));
  });

  it('returns mean-subtracted rows and the matching labels', () => {
    const batches = new BatchIterator(split(13), { batchSize: 3, mean, seed: 2 });
    for (let s = 0; s < 8; s++) {
      const { x, labels, indices } = batches.next();
      expect(x.length).toBe(3 * IMAGE);
      indices.forEach((i, r) => {
        expect(labels[r]).toBe(i % 10);
        expect(x[r * IMAGE]).toBe(2 * i + 1 - 0.5);
        expect(x[r * IMAGE + IMAGE - 1]).toBe(2 * i + 1 - 0.5);
      });
    }
  });

  it('allocates fresh arrays by default, or reuses them when asked', () => {
    const fresh = new BatchIterator(split(6), { batchSize: 2, mean });
    const a = fresh.next();
    const b = fresh.next();
    expect(a.x).not.toBe(b.x);
    expect(ids(a.indices)).toEqual([0, 1]); // not overwritten by the second call
    const reused = new BatchIterator(split(6), { batchSize: 2, mean, reuseBuffers: true });
    const c = reused.next();
    const d = reused.next();
    expect(d.x).toBe(c.x);
    expect(d.labels).toBe(c.labels);
    expect(ids(c.indices)).toEqual([2, 3]);
  });

  it('accepts batch sizes 1..N only', () => {
    const s = split(5);
    expect(() => new BatchIterator(s, { batchSize: 0, mean })).toThrow(ArgumentError);
    expect(() => new BatchIterator(s, { batchSize: 6, mean })).toThrow(/1\.\.5/);
    expect(() => new BatchIterator(s, { batchSize: 2.5, mean })).toThrow(ArgumentError);
    const whole = new BatchIterator(s, { batchSize: 5, mean, seed: 4 });
    expect(ids(whole.next().indices)).toEqual(range(0, 5));
    whole.next();
    expect(whole.epoch).toBe(1); // B = N: every batch after the first is a new epoch
  });
});
