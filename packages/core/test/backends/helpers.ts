/** Shared by the backend tests: seeded data and the error scale a float32 GEMM is judged by. */

import { gemmReference, getBackend, Rng, type Backend, type GemmArgs, type Storage } from '../../src/index.js';

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

/** Named float32 inputs and outputs of one kernel call. */
export type KernelArrays = Record<string, Float32Array>;
export type KernelStorages = Record<string, Storage>;

/**
 * Runs `call` on `backend` with `arrays` uploaded (float32), and on the js backend with the same
 * values in float64; returns both results and every array read back (outputs written in place).
 */
export function againstJs64<T>(backend: Backend, arrays: KernelArrays, call: (b: Backend, s: KernelStorages) => T) {
  const exec = (b: Backend, convert: (a: Float32Array) => Float32Array | Float64Array) => {
    const storages = Object.fromEntries(Object.entries(arrays).map(([k, a]) => [k, b.upload(convert(a))]));
    const result = call(b, storages);
    const out = Object.fromEntries(Object.entries(storages).map(([k, s]) => [k, Float64Array.from(b.view(s))]));
    for (const s of Object.values(storages)) b.release(s);
    return { result, out };
  };
  return { got: exec(backend, (a) => a), want: exec(getBackend('js'), (a) => Float64Array.from(a)) };
}
