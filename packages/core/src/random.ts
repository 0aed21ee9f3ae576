/**
 * Seeded pseudo-random numbers for everything in dlp that must be reproducible from one seed
 * (shuffling, weight init): xoshiro128** on 32-bit integer math, identical on every platform.
 */
import { ArgumentError } from './errors.js';

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;
const MASK_64 = (1n << 64n) - 1n;

/** One step of splitmix64 (Steele, Lea & Flood), used only to spread a seed over the state. */
function splitmix64(state: bigint): [next: bigint, output: bigint] {
  const next = (state + 0x9e3779b97f4a7c15n) & MASK_64;
  let z = next;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK_64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK_64;
  return [next, z ^ (z >> 31n)];
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * A seeded generator (xoshiro128**, seeded through splitmix64). Every method is a pure
 * function of the seed and the calls made so far. The integer and uniform-float draws use only
 * 32-bit integer math, so they are bit-identical on every platform and engine; `normal()` also
 * needs Math.log/sin/cos, which are identical wherever V8 runs (Node, Chrome) but may differ in
 * the last bit on other browser engines.
 *
 * @example
 * ```ts
 * const rng = new Rng(42);
 * const order = rng.permutation(50_000); // Uint32Array, a shuffle of 0..49999
 * const w = rng.normal() * 1e-4;         // N(0, 1e-4²)
 * const die = rng.nextInt(6) + 1;        // 1..6, unbiased
 * ```
 */
export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  /** The second value of the last Box–Muller pair, served by the next `normal()` call. */
  private spareNormal: number | undefined;

  /** @param seed any safe integer (negative seeds are taken modulo 2^64). */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) {
      throw new ArgumentError(`Rng seed must be a safe integer, got ${seed}`);
    }
    let state = BigInt.asUintN(64, BigInt(seed));
    const words: number[] = [];
    for (let i = 0; i < 2; i++) {
      const [next, out] = splitmix64(state);
      state = next;
      words.push(Number(out & 0xffffffffn), Number(out >> 32n));
    }
    this.setWords(words);
  }

  /**
   * A generator continuing from a state saved with {@link Rng.state} (e.g. in a checkpoint).
   * Also the way to check the core against the reference xoshiro128** on a raw state.
   */
  static fromState(state: ArrayLike<number>): Rng {
    const rng = new Rng(0);
    rng.setWords(Array.from(state));
    return rng;
  }

  /** The four 32-bit state words (a copy); pending `normal()` spare values are not included. */
  state(): Uint32Array {
    return Uint32Array.of(this.s0, this.s1, this.s2, this.s3);
  }

  /**
   * Puts this generator back to a state saved with {@link Rng.state}, in place: whoever shares
   * this object (a batch iterator and a dropout layer, say) continues from it. A pending
   * `normal()` spare value is dropped.
   * @throws ArgumentError unless the state is four uint32 words, not all zero
   */
  setState(state: ArrayLike<number>): void {
    this.setWords(Array.from(state));
  }

  private setWords(words: readonly number[]): void {
    if (words.length !== 4 || words.some((w) => !Number.isInteger(w) || w < 0 || w >= TWO_POW_32)) {
      throw new ArgumentError(`Rng state must be four uint32 words, got [${words.join(', ')}]`);
    }
    // An all-zero state would only ever produce zeros; splitmix64 cannot yield it from a seed.
    if (words.every((w) => w === 0)) {
      throw new ArgumentError('Rng state must not be all zeros');
    }
    [this.s0, this.s1, this.s2, this.s3] = words as [number, number, number, number];
    this.spareNormal = undefined;
  }

  /** A uniform integer in [0, 2^32). */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A uniform float in [0, 1) with 53 random bits (two 32-bit draws). */
  nextFloat(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / TWO_POW_53;
  }

  /**
   * A uniform integer in [0, n), without modulo bias: draws that fall in the incomplete last
   * block of 2^32 are rejected and redrawn.
   * @param n an integer in 1..2^32
   */
  nextInt(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > TWO_POW_32) {
      throw new ArgumentError(`Rng.nextInt bound must be an integer in 1..2^32, got ${n}`);
    }
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }

  /** A uniformly random permutation of 0..n-1 (Fisher–Yates, from the last index down). */
  permutation(n: number): Uint32Array {
    if (!Number.isInteger(n) || n < 0 || n > TWO_POW_32) {
      throw new ArgumentError(`Rng.permutation length must be an integer in 0..2^32, got ${n}`);
    }
    const p = new Uint32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const tmp = p[i]!;
      p[i] = p[j]!;
      p[j] = tmp;
    }
    return p;
  }

  /** A standard normal sample (Box–Muller; the pair's second value is kept for the next call). */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const spare = this.spareNormal;
      this.spareNormal = undefined;
      return spare;
    }
    // 1 - u lies in (0, 1], so the logarithm is finite.
    const radius = Math.sqrt(-2 * Math.log(1 - this.nextFloat()));
    const angle = 2 * Math.PI * this.nextFloat();
    this.spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }
}
