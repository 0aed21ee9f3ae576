/** Shared by the backend tests: seeded data and the error scale a float32 GEMM is judged by. */

import { gemmReference, Rng, type GemmArgs } from '../../src/index.js';

export type GemmShape = Pick<GemmArgs, 'transA' | 'transB' | 'm' | 'n' | 'k' | 'alpha' | 'beta'>;

export function randomArray(rng: Rng, length: number): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = rng.nextFloat() * 2 - 1;
  return out;
}

/** |alpha|·Σ|a·b| + |beta·c| per element: rounding errors are measured against this. */
export function gemmMagnitude(spec: GemmShape, a: ArrayLike<number>, b: ArrayLike<number>, c: ArrayLike<number>): Float64Array {
  const abs = (x: ArrayLike<number>) => Float64Array.from(x, Math.abs);
  const out = abs(c);
  gemmReference({ ...spec, alpha: Math.abs(spec.alpha), beta: Math.abs(spec.beta) }, abs(a), abs(b), out);
  return out;
}

/** Largest |got − want| / magnitude over all elements. */
export function maxRelativeError(got: ArrayLike<number>, want: ArrayLike<number>, magnitude: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < got.length; i++) {
    const scale = Math.max(magnitude[i]!, 1e-30);
    worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / scale);
  }
  return worst;
}
