/**
 * Argument shapes of the elementwise kernels: activations, the bias add and its column sums, the
 * autograd ops' unary and broadcasting binary functions, axpy. Strides are in elements; a stride
 * of 0 broadcasts that dimension.
 */

import type { Backend, Storage } from '../backends/backend.js';
import { kernelNames } from './names.js';

/** out[r][c] = x[r][c] + bias[c] over a rows×cols matrix (out may be x: in place). */
export interface BiasAddArgs {
  x: Storage;
  bias: Storage;
  out: Storage;
  rows: number;
  cols: number;
}

/** out[c] = beta·out[c] + Σ_r x[r][c]: column sums of a rows×cols matrix (a bias gradient). */
export interface ColumnSumArgs {
  x: Storage;
  out: Storage;
  rows: number;
  cols: number;
  beta: number;
}

/** ELU, elementwise: out = x > 0 ? x : alpha·(eˣ − 1) (out may be x). */
export interface EluArgs {
  x: Storage;
  out: Storage;
  alpha: number;
}

/** ELU backward from its input: dx = dout · (x > 0 ? 1 : alpha·eˣ) (dx may be dout). */
export interface EluBackwardArgs {
  x: Storage;
  dout: Storage;
  dx: Storage;
  alpha: number;
}

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

/** y += alpha·x, elementwise (gradient accumulation); x and y separate, same length. */
export interface AxpyArgs {
  x: Storage;
  y: Storage;
  alpha: number;
}

/** The signatures of this concern's kernels (KernelSignatures in registry.ts gathers every concern's). */
export interface ElementwiseKernels {
  biasAdd(backend: Backend, args: BiasAddArgs): void;
  columnSum(backend: Backend, args: ColumnSumArgs): void;
  elu(backend: Backend, args: EluArgs): void;
  eluBackward(backend: Backend, args: EluBackwardArgs): void;
  unary(backend: Backend, args: UnaryArgs): void;
  unaryBackward(backend: Backend, args: UnaryBackwardArgs): void;
  binary(backend: Backend, args: BinaryArgs): void;
  axpy(backend: Backend, args: AxpyArgs): void;
}

export const ELEMENTWISE_KERNELS = kernelNames<ElementwiseKernels>({ biasAdd: true, columnSum: true, elu: true, eluBackward: true, unary: true, unaryBackward: true, binary: true, axpy: true });
