/**
 * C = alpha·op(A)·op(B) + beta·C: the matrix product every layer runs on.
 */

import type { Backend, Storage } from '../backends/backend.js';
import { kernelNames } from './names.js';

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

/** The signatures of this concern's kernels (KernelSignatures in registry.ts gathers every concern's). */
export interface GemmKernels {
  gemm(backend: Backend, args: GemmArgs): void;
}

export const GEMM_KERNELS = kernelNames<GemmKernels>({ gemm: true });
