/**
 * Argument shapes of the kernels behind the autograd ops (elementwise, broadcasting,
 * reductions, log-softmax/NLL, gradient accumulation). Strides are in elements; a stride of 0
 * broadcasts that dimension. Index arrays (labels, argmax) stay in host memory as Int32Array.
 */

import type { Storage } from '../backends/backend.js';

/** Elementwise functions of one input. */
export type UnaryOp = 'neg' | 'exp' | 'log' | 'sqrt' | 'relu' | 'tanh' | 'sigmoid';

/** out = op(x), elementwise over contiguous storages of equal length (out may be x). */
export interface UnaryArgs {
  op: UnaryOp;
  x: Storage;
  out: Storage;
}

/**
 * dx = dout · op'(x), given the forward's input x and output y (whichever the op needs):
 * neg −dout; exp dout·y; log dout/x; sqrt dout/(2y); relu dout·(x > 0); tanh dout·(1 − y²);
 * sigmoid dout·y·(1 − y). All storages the same length; dx may be dout.
 */
export interface UnaryBackwardArgs {
  op: UnaryOp;
  x: Storage;
  y: Storage;
  dout: Storage;
  dx: Storage;
}

/** Elementwise functions of two inputs (after broadcasting). */
export type BinaryOp = 'add' | 'sub' | 'mul' | 'div';

/**
 * out[i] = a[i·aStrides] op b[i·bStrides] over the multi-index i of `shape` (out row-major,
 * shape's size elements). Strides of 0 broadcast; views (transposes) pass their own strides.
 * out must not overlap a or b unless it is exactly that storage with row-major strides.
 */
export interface BinaryArgs {
  op: BinaryOp;
  shape: readonly number[];
  a: Storage;
  aStrides: readonly number[];
  b: Storage;
  bStrides: readonly number[];
  out: Storage;
}

/** out (row-major, `shape`) = x read through `strides`: makes a view contiguous. */
export interface CopyArgs {
  shape: readonly number[];
  x: Storage;
  strides: readonly number[];
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

/** Row log-softmax: out[r] = x[r] − max x[r] − log Σ exp(x[r] − max x[r]). */
export interface LogSoftmaxArgs {
  x: Storage;
  out: Storage;
  rows: number;
  cols: number;
}

/** Backward from the output y: dx[r] = dout[r] − exp(y[r])·Σ_c dout[r][c] (dx may be dout). */
export interface LogSoftmaxBackwardArgs {
  y: Storage;
  dout: Storage;
  dx: Storage;
  rows: number;
  cols: number;
}

/** Negative log-likelihood of log-probabilities, mean over rows: −(1/rows)·Σ_r logp[r][labels[r]]. Returns it. */
export interface NllLossArgs {
  logp: Storage;
  labels: Int32Array;
  rows: number;
  cols: number;
}

/** dlogp = 0 except dlogp[r][labels[r]] = −scale/rows (scale: the loss's incoming gradient). */
export interface NllLossBackwardArgs {
  labels: Int32Array;
  rows: number;
  cols: number;
  scale: number;
  dlogp: Storage;
}

/** y += alpha·x, elementwise (gradient accumulation); x and y separate, same length. */
export interface AxpyArgs {
  x: Storage;
  y: Storage;
  alpha: number;
}
