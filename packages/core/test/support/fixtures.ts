/** Reading the committed PyTorch fixtures ({shape, data} tensors) and comparing against them. */

import { readFileSync } from 'node:fs';
import { Tensor, type Backend, type DType } from '../../src/index.js';

export interface FixtureTensor {
  shape: number[];
  data: number[];
}

export function readFixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')) as T;
}

/** A fixture tensor on a backend; `requiresGrad` makes it a leaf whose gradient we compare. */
export function toTensor(t: FixtureTensor, on: { backend: Backend | string; dtype: DType }, requiresGrad = false): Tensor {
  return Tensor.from(t.data, t.shape, { ...on, requiresGrad });
}

/** max |a−b| / max(|b|, tiny): the error relative to the values' scale. */
export function scaledError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let [diff, scale] = [0, 1e-30];
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / scale;
}

/** The backends and dtypes each parity test runs on, with the tolerance of each. */
export const PARITY_TARGETS = [
  ['js', 'float64', 1e-10],
  ['js', 'float32', 1e-5],
  ['native', 'float32', 1e-5],
  ['wasm', 'float32', 1e-5],
] as const;
