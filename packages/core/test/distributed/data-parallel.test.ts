/**
 * Data-parallel training's pieces that need no second process: the shards of a batch, the
 * combination of a step's results, the gradient all-reduce (in place on host memory, through
 * the bucket for small tensors), on a one-rank communicator whose sum doubles every value as
 * two identical ranks would give. (Two real processes: packages/cli/test/train-distributed.test.ts.)
 */

import { describe, expect, it } from 'vitest';
import { ArgumentError, distributed, getBackend, Tensor } from '../../src/index.js';
import type { Communicator } from '../../src/distributed/communicator.js';

/** A world of two ranks that hold the same values: a sum is twice this rank's values. */
function twinRanks(rank = 0): Communicator & { calls: number } {
  const world = {
    kind: 'twin',
    rank,
    size: 2,
    localSize: 2,
    calls: 0,
    allReduceSum: (v: Float32Array) => {
      world.calls++;
      v.forEach((x, i) => (v[i] = 2 * x));
    },
    allReduceSumF64: (v: Float64Array) => v.forEach((x, i) => (v[i] = 2 * x)),
    broadcast: () => undefined,
    broadcastBytes: () => undefined,
    barrier: () => undefined,
    abort: (): never => {
      throw new Error('abort');
    },
    finalize: () => undefined,
  };
  return world;
}

describe('shards', () => {
  it('cover the batch in order, sizes differing by at most one', () => {
    for (const [rows, size] of [[128, 2], [200, 3], [7, 7], [10, 4]] as const) {
      const ranges = Array.from({ length: size }, (_, r) => distributed.shardRange(rows, r, size));
      expect(ranges[0]!.start).toBe(0);
      expect(ranges[size - 1]!.end).toBe(rows);
      ranges.slice(1).forEach((r, i) => expect(r.start).toBe(ranges[i]!.end));
      const sizes = ranges.map((r) => r.end - r.start);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
    expect(() => distributed.shardRange(3, 0, 4)).toThrow(ArgumentError);
  });
});

describe('DataParallel', () => {
  const backend = getBackend('native');

  it('sums every gradient over the ranks, large ones in place, small ones in one bucket', () => {
    const world = twinRanks();
    const parallel = new distributed.DataParallel(world);
    const big = Tensor.zeros([distributed.BUCKET_ELEMENTS + 3], { backend, requiresGrad: true });
    const small = [Tensor.zeros([5], { backend, requiresGrad: true }), Tensor.zeros([2, 3], { backend, requiresGrad: true })];
    big.grad = Tensor.from(Array.from({ length: big.size }, (_, i) => i % 7), big.shape, { backend });
    small[0]!.grad = Tensor.from([1, 2, 3, 4, 5], [5], { backend });
    small[1]!.grad = Tensor.from([6, 7, 8, 9, 10, 11], [2, 3], { backend });
    const frozen = Tensor.zeros([4], { backend, requiresGrad: true });
    parallel.allReduceGradients([big, ...small, frozen]);
    expect(world.calls).toBe(2);
    expect(Array.from(big.grad.toArray()).slice(0, 8)).toEqual([0, 2, 4, 6, 8, 10, 12, 0]);
    expect(Array.from(small[0]!.grad.toArray())).toEqual([2, 4, 6, 8, 10]);
    expect(Array.from(small[1]!.grad.toArray())).toEqual([12, 14, 16, 18, 20, 22]);
    expect(frozen.grad).toBeNull();
  });

  it('combines a step: the global batch’s mean loss and its correct count', () => {
    const parallel = new distributed.DataParallel(twinRanks());
    // Each twin: 64 rows of a 128-row batch, mean loss 1.5, 20 correct.
    expect(parallel.combine({ loss: 1.5, correct: 20 }, 64, 128)).toEqual({ loss: 1.5, correct: 40 });
  });
});
