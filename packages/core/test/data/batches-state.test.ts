// BatchIterator.stateDict()/loadStateDict(): an iterator loaded from a saved state serves the
// batches the saved one would have served next, across epoch boundaries and reshuffles, through a
// JSON round trip (as in a checkpoint); a shared generator is restored in place; a state that
// does not fit is refused without changing the iterator. Also Rng.setState.
import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../../src/errors.js';
import { Rng } from '../../src/random.js';
import { BatchIterator } from '../../src/data/batches.js';
import { Cifar10Split } from '../../src/data/cifar10.js';
import { IMAGE } from './helpers.js';

function split(n: number): Cifar10Split {
  const pixels = new Uint8Array(n * IMAGE);
  for (let i = 0; i < n; i++) pixels.fill(i % 256, i * IMAGE, (i + 1) * IMAGE);
  return new Cifar10Split(Uint8Array.from({ length: n }, (_, i) => i % 10), pixels);
}
const mean = new Float32Array(IMAGE);
const take = (it: BatchIterator, k: number): number[][] => Array.from({ length: k }, () => Array.from(it.nextIndices().indices));

describe('BatchIterator state', () => {
  it('continues exactly where the saved iterator was, at every point of three epochs', () => {
    const data = split(10);
    const straight = take(new BatchIterator(data, { batchSize: 3, mean, seed: 9 }), 12);
    for (let k = 0; k <= 11; k++) {
      const first = new BatchIterator(data, { batchSize: 3, mean, seed: 9 });
      take(first, k);
      const saved = JSON.parse(JSON.stringify(first.stateDict()));
      const resumed = new BatchIterator(data, { batchSize: 3, mean, seed: 12345 });
      resumed.loadStateDict(saved);
      expect([resumed.epoch, resumed.step]).toEqual([first.epoch, first.step]);
      expect(Array.from(resumed.order())).toEqual(Array.from(first.order()));
      expect(take(resumed, 12 - k), `saved after ${k} batches`).toEqual(straight.slice(k));
    }
  });

  it('stores the order as the generator state it was drawn from, null in the file-order epoch', () => {
    const it0 = new BatchIterator(split(10), { batchSize: 4, mean, seed: 3 });
    take(it0, 2);
    expect(it0.stateDict()).toEqual({ epoch: 0, step: 2, position: 8, rng: Array.from(new Rng(3).state()), orderRng: null });
    take(it0, 1);
    expect(it0.stateDict()).toMatchObject({ epoch: 1, step: 3, position: 4, orderRng: Array.from(new Rng(3).state()) });
  });

  it('sets a shared generator in place', () => {
    const rng = new Rng(5);
    const data = split(8);
    const source = new BatchIterator(data, { batchSize: 4, mean, seed: 77 });
    take(source, 5);
    const sharing = new BatchIterator(data, { batchSize: 4, mean, rng });
    sharing.loadStateDict(source.stateDict());
    expect(Array.from(rng.state())).toEqual(source.stateDict().rng);
  });

  it('refuses a state that does not fit, leaving the iterator as it was', () => {
    const it1 = new BatchIterator(split(10), { batchSize: 4, mean, seed: 1 });
    take(it1, 3);
    const good = it1.stateDict();
    const before = JSON.stringify(good);
    expect(() => it1.loadStateDict({ ...good, position: 11 })).toThrow('batch iterator state: position must be an integer in 0..10, got 11');
    expect(() => it1.loadStateDict({ ...good, position: 2 })).toThrow('position 2 is not a multiple of the batch size 4');
    expect(() => it1.loadStateDict({ ...good, orderRng: null })).toThrow('epoch 1 needs an orderRng');
    expect(() => it1.loadStateDict({ ...good, rng: [0, 0, 0, 0] })).toThrow(ArgumentError);
    expect(() => it1.loadStateDict({ ...good, step: -1 })).toThrow('step must be an integer');
    expect(JSON.stringify(it1.stateDict())).toBe(before);
  });
});

describe('Rng.setState', () => {
  it('puts the same object back to a saved state, dropping a pending normal spare', () => {
    const rng = new Rng(11);
    const saved = rng.state();
    const first = [rng.nextUint32(), rng.nextFloat()];
    rng.normal();
    rng.setState(saved);
    expect([rng.nextUint32(), rng.nextFloat()]).toEqual(first);
    rng.normal(); // leaves its pair's second value pending
    rng.setState(saved);
    expect(rng.normal()).toBe(Rng.fromState(saved).normal());
    expect(() => rng.setState([1, 2])).toThrow(ArgumentError);
  });
});
