/**
 * The gemm kernel's length check, for backends whose binding cannot see buffer lengths (wasm
 * passes bare pointers) or has no binding (js). Same message as dlp-kernels' `check_lengths`,
 * so every backend reports a misfit the same way.
 */

import { checkMatrix } from './lengths.js';
import type { GemmArgs } from './gemm.js';

export function checkGemmLengths(g: GemmArgs): void {
  checkMatrix('gemm', 'A', g.transA ? g.k : g.m, g.transA ? g.m : g.k, g.a.length);
  checkMatrix('gemm', 'B', g.transB ? g.n : g.k, g.transB ? g.k : g.n, g.b.length);
  checkMatrix('gemm', 'C', g.m, g.n, g.c.length);
}
