/**
 * Parameter initialisation and the generator it draws from. Like torch.manual_seed, `manualSeed`
 * resets the global generator that layers use when not given an `rng` of their own.
 */

import type { DType } from '../dtype.js';
import { ArgumentError } from '../errors.js';
import { Rng } from '../random.js';

let globalRng = new Rng(0);

/** Reseeds the generator layers draw their initial weights from (when given no rng). */
export function manualSeed(seed: number): void {
  if (!Number.isSafeInteger(seed)) throw new ArgumentError(`manualSeed: seed must be an integer, got ${seed}`);
  globalRng = new Rng(seed);
}

export function defaultRng(): Rng {
  return globalRng;
}

/**
 * `length` values uniform in ±1/√fanIn: (2u − 1)/√fanIn for u = rng.nextFloat(), drawn in
 * order, computed in float64 and then stored in the dtype. This is PyTorch's default for
 * Linear weights (kaiming_uniform with a = √5) and biases; the exact formula is fixed so that
 * the PyTorch fixtures (make_setup6_fixture.py) can rebuild the same weights.
 */
export function fanInUniform(length: number, fanIn: number, rng: Rng, dtype: DType): Float32Array | Float64Array {
  const out = dtype === 'float64' ? new Float64Array(length) : new Float32Array(length);
  const root = Math.sqrt(fanIn);
  for (let i = 0; i < length; i++) out[i] = (2 * rng.nextFloat() - 1) / root;
  return out;
}
