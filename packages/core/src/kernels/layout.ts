/**
 * Argument shapes of the layout and reduction kernels: a strided view made contiguous, a slice
 * along an axis copied in or out (concatenation), sums over axes, the max along an axis with its
 * argmax (Int32Array, host memory).
 */

import type { Backend, Storage } from '../backends/backend.js';
import { kernelNames } from './names.js';

/** out (row-major, `shape`) = x read through `strides`: makes a view contiguous. */
export interface CopyArgs {
  shape: readonly number[];
  x: Storage;
  strides: readonly number[];
  out: Storage;
}

/**
 * A slice along the middle axis of a tensor viewed as [outer, total, inner]: entries
 * offset .. offset + size of that axis (outer = the product of the dimensions before it, inner of
 * those after it, so any dimension of any tensor fits).
 */
export interface SliceGeometry {
  outer: number;
  total: number;
  inner: number;
  offset: number;
  size: number;
}

/**
 * out [outer, total, inner]: out[o][offset + s][i] = x[o][s][i] for x [outer, size, inner]; the
 * rest of out is left as it is. One input of a concatenation put in its place.
 */
export interface CopyIntoSliceArgs extends SliceGeometry {
  x: Storage;
  out: Storage;
}

/** out [outer, size, inner] = x[o][offset + s][i] for x [outer, total, inner]: the slice itself. */
export interface CopySliceArgs extends SliceGeometry {
  x: Storage;
  out: Storage;
}

/**
 * Sums x (row-major, `shape`) over the axes marked true in `axes`; out is row-major over the
 * remaining axes (a scalar: 1 element, when all are summed): out = beta·out + Σ. The bias
 * gradient is shape [B, F], axes [true, false].
 */
export interface ReduceSumArgs {
  x: Storage;
  shape: readonly number[];
  axes: readonly boolean[];
  out: Storage;
  beta: number;
}

/**
 * Max along the middle axis of x viewed as [outer, size, inner]: out[o][i] = max_s x[o][s][i],
 * indices[o·inner + i] = the first s reaching it (NaN wins, as in PyTorch).
 */
export interface MaxAlongArgs {
  x: Storage;
  outer: number;
  size: number;
  inner: number;
  out: Storage;
  indices: Int32Array;
}

/** dx[o][indices[o·inner+i]][i] += dout[o][i]; every other element of dx set to 0 first. */
export interface MaxAlongBackwardArgs {
  dout: Storage;
  indices: Int32Array;
  outer: number;
  size: number;
  inner: number;
  dx: Storage;
}

/** The signatures of this concern's kernels (KernelSignatures in registry.ts gathers every concern's). */
export interface LayoutKernels {
  copy(backend: Backend, args: CopyArgs): void;
  copyIntoSlice(backend: Backend, args: CopyIntoSliceArgs): void;
  copySlice(backend: Backend, args: CopySliceArgs): void;
  reduceSum(backend: Backend, args: ReduceSumArgs): void;
  maxAlong(backend: Backend, args: MaxAlongArgs): void;
  maxAlongBackward(backend: Backend, args: MaxAlongBackwardArgs): void;
}

export const LAYOUT_KERNELS = kernelNames<LayoutKernels>({
  copy: true,
  copyIntoSlice: true,
  copySlice: true,
  reduceSum: true,
  maxAlong: true,
  maxAlongBackward: true,
});
