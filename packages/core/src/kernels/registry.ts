/**
 * Kernels looked up by (name, backend). A backend makes its kernels available by registering
 * them; core ops call `getKernel`, so adding a backend or a kernel changes nothing else.
 */

import type { Backend, BackendName, Storage } from '../backends/backend.js';
import { DlpError } from '../errors.js';

/** C = alpha·op(A)·op(B) + beta·C over row-major storages (C is m×n). */
export interface GemmArgs {
  transA: boolean;
  transB: boolean;
  m: number;
  n: number;
  k: number;
  alpha: number;
  beta: number;
  a: Storage;
  b: Storage;
  c: Storage;
}

/** Every kernel's signature, by name. Later kernels (conv2d, softmax, ...) add entries here. */
export interface KernelSignatures {
  gemm: (backend: Backend, args: GemmArgs) => void;
}

export type KernelName = keyof KernelSignatures;

/** A kernel asked of a backend that does not have it. */
export class KernelNotFoundError extends DlpError {
  override readonly name = 'KernelNotFoundError';
}

const registry = new Map<string, unknown>();

const key = (name: KernelName, backend: BackendName) => `${backend}/${name}`;

export function registerKernel<K extends KernelName>(name: K, backend: BackendName, impl: KernelSignatures[K]): void {
  registry.set(key(name, backend), impl);
}

export function getKernel<K extends KernelName>(name: K, backend: BackendName): KernelSignatures[K] {
  const impl = registry.get(key(name, backend));
  if (impl === undefined) {
    throw new KernelNotFoundError(`kernel '${name}' is not implemented on the ${backend} backend`);
  }
  return impl as KernelSignatures[K];
}

export function hasKernel(name: KernelName, backend: BackendName): boolean {
  return registry.has(key(name, backend));
}
