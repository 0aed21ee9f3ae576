/**
 * C = alpha·op(A)·op(B) + beta·C: the matrix product every layer runs on.
 */

import type { Storage } from '../backends/backend.js';

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
