/**
 * The gemm kernel's length check, for backends whose binding cannot see buffer lengths (wasm
 * passes bare pointers) or has no binding (js). Same message as dlp-kernels' `check_lengths`,
 * so every backend reports a misfit the same way.
 */

import { ShapeError } from '../errors.js';
import type { GemmArgs } from './registry.js';

export function checkGemmLengths(g: GemmArgs): void {
  const check = (name: string, rows: number, cols: number, length: number) => {
    if (rows * cols !== length) {
      throw new ShapeError(`gemm: ${name} should hold ${rows}x${cols} = ${rows * cols} elements but holds ${length}`);
    }
  };
  check('A', g.transA ? g.k : g.m, g.transA ? g.m : g.k, g.a.length);
  check('B', g.transB ? g.n : g.k, g.transB ? g.k : g.n, g.b.length);
  check('C', g.m, g.n, g.c.length);
}
