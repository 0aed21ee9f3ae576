import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../../src/errors.js';
import { Rng } from '../../src/random.js';

describe('Rng', () => {
  // Reference outputs of the authors' C code (xoshiro128starstar.c and splitmix64.c from
  // prng.di.unimi.it), compiled with gcc: they pin the generator to the published algorithm.
  it('matches the reference xoshiro128** on state [1, 2, 3, 4]', () => {
    const rng = Rng.fromState([1, 2, 3, 4]);
    const out = Array.from({ length: 6 }, () => rng.nextUint32());
    expect(out).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  it('seeds through the reference splitmix64', () => {
    expect(Array.from(new Rng(42).state())).toEqual([803958421, 3184996902, 2993090819, 686809907]);
    const rng = new Rng(42);
    expect([rng.nextUint32(), rng.nextUint32(), rng.nextUint32()]).toEqual([
      1776835114, 4165204688, 17111135,
    ]);
    // Negative seeds wrap modulo 2^64, as (uint64_t)-1 does in C.
    const neg = new Rng(-1);
    expect([neg.nextUint32(), neg.nextUint32(), neg.nextUint32()]).toEqual([
      477689756, 2493998634, 555695776,
    ]);
  });

  it('is deterministic per seed and differs between seeds', () => {
    const draw = (seed: number): number[] => {
      const rng = new Rng(seed);
      return Array.from({ length: 20 }, () => rng.nextUint32());
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });

  it('continues identically from a saved state', () => {
    const a = new Rng(123);
    a.nextUint32();
    const b = Rng.fromState(a.state());
    expect([a.nextUint32(), a.nextFloat()]).toEqual([b.nextUint32(), b.nextFloat()]);
  });

  it('nextFloat lies in [0, 1) with a mean near 1/2', () => {
    const rng = new Rng(1);
    let sum = 0;
    let outside = 0;
    for (let i = 0; i < 100_000; i++) {
      const u = rng.nextFloat();
      if (!(u >= 0 && u < 1)) outside++;
      sum += u;
    }
    expect(outside).toBe(0);
    expect(Math.abs(sum / 100_000 - 0.5)).toBeLessThan(0.005);
  });

  it('nextInt covers 0..n-1 evenly (chi-square) and rejects bad bounds', () => {
    const rng = new Rng(2);
    const n = 7;
    const draws = 70_000;
    const counts = new Array<number>(n).fill(0);
    for (let i = 0; i < draws; i++) counts[rng.nextInt(n)]!++;
    expect(counts.length).toBe(n); // an out-of-range draw would have added an entry
    const expected = draws / n;
    const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(22.5); // 6 degrees of freedom, p = 0.001
    expect(new Rng(3).nextInt(1)).toBe(0);
    expect(() => rng.nextInt(0)).toThrow(ArgumentError);
    expect(() => rng.nextInt(2.5)).toThrow(ArgumentError);
    expect(() => rng.nextInt(2 ** 32 + 1)).toThrow(ArgumentError);
  });

  it('permutation is a shuffle of 0..n-1, different per draw', () => {
    const rng = new Rng(4);
    const p = rng.permutation(1000);
    expect(p).toBeInstanceOf(Uint32Array);
    expect(Array.from(p).sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(Array.from(p)).not.toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(Array.from(rng.permutation(1000))).not.toEqual(Array.from(p));
    expect(rng.permutation(0).length).toBe(0);
  });

  it('permutation puts each element in each position uniformly (small n)', () => {
    const rng = new Rng(5);
    const counts = new Map<string, number>();
    for (let i = 0; i < 6000; i++) {
      const key = Array.from(rng.permutation(3)).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    for (const c of counts.values()) expect(Math.abs(c - 1000)).toBeLessThan(130);
  });

  it('normal has mean 0 and variance 1', () => {
    const rng = new Rng(6);
    const n = 200_000;
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      sum += z;
      sq += z * z;
    }
    const mean = sum / n;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(sq / n - mean * mean - 1)).toBeLessThan(0.02);
  });

  it('rejects seeds that are not safe integers and all-zero states', () => {
    expect(() => new Rng(1.5)).toThrow(ArgumentError);
    expect(() => new Rng(Number.NaN)).toThrow(ArgumentError);
    expect(() => Rng.fromState([0, 0, 0, 0])).toThrow(ArgumentError);
    expect(() => Rng.fromState([1, 2, 3])).toThrow(ArgumentError);
  });
});
