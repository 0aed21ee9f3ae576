/**
 * GEMM on the js backend: the reference loop C = alpha·op(A)·op(B) + beta·C (row-major) and the
 * gemm kernel, which checks its arguments in the order and words of dlp-kernels first.
 */

import type { TypedArray } from '../../dtype.js';
import type { GemmArgs } from '../../kernels/gemm.js';
import { checkGemmLengths } from '../../kernels/gemm-lengths.js';
import { checkAllSeparate, checkSizes } from '../../kernels/lengths.js';
import { registerKernel } from '../../kernels/registry.js';
import { arr } from './storage.js';

/**
 * Reference GEMM in plain loops. Accumulates in JS numbers (float64) and rounds once when
 * storing, so on float32 it is at least as accurate as any fast kernel it is compared with.
 */
export function gemmReference(
  spec: Pick<GemmArgs, 'transA' | 'transB' | 'm' | 'n' | 'k' | 'alpha' | 'beta'>,
  a: TypedArray,
  b: TypedArray,
  c: TypedArray,
): void {
  const { m, n, k, alpha, beta } = spec;
  // op(A)[i][p] = a[i*aRow + p*aCol]; op(B)[p][j] = b[p*bRow + j*bCol]
  const [aRow, aCol] = spec.transA ? [1, m] : [k, 1];
  const [bRow, bCol] = spec.transB ? [1, k] : [n, 1];
  const row = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    row.fill(0);
    // i-p-j order: the inner loop walks B's row (contiguous unless B is transposed).
    for (let p = 0; p < k; p++) {
      const av = a[i * aRow + p * aCol]!;
      const bBase = p * bRow;
      for (let j = 0; j < n; j++) row[j]! += av * b[bBase + j * bCol]!;
    }
    const cBase = i * n;
    for (let j = 0; j < n; j++) {
      // beta = 0 ignores C's old contents entirely (BLAS semantics: NaN there does not leak).
      c[cBase + j] = beta === 0 ? alpha * row[j]! : alpha * row[j]! + beta * c[cBase + j]!;
    }
  }
}

export function registerJsGemmKernels(): void {
  registerKernel('gemm', 'js', (_backend, args) => {
    checkSizes('gemm', { m: args.m, n: args.n, k: args.k });
    checkGemmLengths(args);
    checkAllSeparate('gemm', [['C', arr(args.c)]], [['A', arr(args.a)], ['B', arr(args.b)]]);
    gemmReference(args, arr(args.a), arr(args.b), arr(args.c));
  });
}
