/**
 * Elementwise kernels on the js backend (kernels/elementwise.ts): biasAdd, columnSum, ELU, the
 * unary and broadcasting binary ops and axpy, in float64 loops, with their argument checks.
 */

import type { TypedArray } from '../../dtype.js';
import { ArgumentError } from '../../errors.js';
import type { BinaryOp, UnaryOp } from '../../kernels/elementwise.js';
import {
  checkCounts,
  checkMatrix,
  checkPerAxis,
  checkSameLength,
  checkSameOrSeparate,
  checkSeparate,
  checkShaped,
  checkSizes,
  checkStridedReach,
  checkVector,
} from '../../kernels/lengths.js';
import { registerKernel } from '../../kernels/registry.js';
import { isRowMajor } from '../../shape.js';
import type { Storage } from '../backend.js';
import { forEachRow, lastAxis } from './rows.js';
import { arr } from './storage.js';

/** A Linear layer's bias, row-major rows×cols: out[r][c] = x[r][c] + bias[c] (out may be x). */
export function biasAddReference(x: TypedArray, bias: TypedArray, out: TypedArray, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) out[base + c] = x[base + c]! + bias[c]!;
  }
}

/** biasAdd's backward: out[c] = beta·out[c] + Σ_r x[r][c] (beta = 0 ignores out's old contents, NaN included). */
export function columnSumReference(x: TypedArray, out: TypedArray, rows: number, cols: number, beta: number): void {
  // Summed in float64 and rounded once, like every js kernel.
  const sums = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) sums[c]! += x[base + c]!;
  }
  for (let c = 0; c < cols; c++) out[c] = beta === 0 ? sums[c]! : beta * out[c]! + sums[c]!;
}

/** ELU: out = x > 0 ? x : alpha·(eˣ − 1) (out may be x). eˣ − 1 is Math.expm1, exact near 0. */
export function eluReference(x: TypedArray, out: TypedArray, alpha: number): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    out[i] = v > 0 ? v : alpha * Math.expm1(v);
  }
}

/** ELU's backward from the input: dx = dout · (x > 0 ? 1 : alpha·eˣ) (dx may be dout). */
export function eluBackwardReference(x: TypedArray, dout: TypedArray, dx: TypedArray, alpha: number): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    dx[i] = v > 0 ? dout[i]! : dout[i]! * alpha * Math.exp(v);
  }
}

const UNARY: Record<UnaryOp, (v: number) => number> = {
  neg: (v) => -v,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  // NaN stays NaN, as in PyTorch (a plain `v > 0 ? v : 0` would turn it into 0).
  relu: (v) => (v < 0 ? 0 : v),
  tanh: Math.tanh,
  sigmoid: (v) => 1 / (1 + Math.exp(-v)),
};

/** op'(x)·dout, from the forward's input x and output y (see UnaryBackwardArgs). */
const UNARY_BACKWARD: Record<UnaryOp, (x: number, y: number, d: number) => number> = {
  neg: (_x, _y, d) => -d,
  exp: (_x, y, d) => d * y,
  log: (x, _y, d) => d / x,
  sqrt: (_x, y, d) => d / (2 * y),
  relu: (x, _y, d) => (x > 0 ? d : 0),
  // (1 − y)(1 + y), not 1 − y²: exact near |y| = 1, as dlp-kernels computes it.
  tanh: (_x, y, d) => d * (1 - y) * (1 + y),
  sigmoid: (_x, y, d) => d * y * (1 - y),
};

const BINARY: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
};

export function unaryReference(op: UnaryOp, x: TypedArray, out: TypedArray): void {
  const f = UNARY[op];
  for (let i = 0; i < x.length; i++) out[i] = f(x[i]!);
}

export function unaryBackwardReference(op: UnaryOp, x: TypedArray, y: TypedArray, dout: TypedArray, dx: TypedArray): void {
  const f = UNARY_BACKWARD[op];
  for (let i = 0; i < x.length; i++) dx[i] = f(x[i]!, y[i]!, dout[i]!);
}

/** out = a op b over `shape`, each operand read through its strides (0 broadcasting). */
export function binaryReference(
  op: BinaryOp,
  shape: readonly number[],
  a: TypedArray,
  aStrides: readonly number[],
  b: TypedArray,
  bStrides: readonly number[],
  out: TypedArray,
): void {
  const f = BINARY[op];
  const [n, [sa, sb]] = lastAxis(shape, [aStrides, bStrides]);
  forEachRow(shape, [aStrides, bStrides], (start, [oa, ob]) => {
    for (let j = 0; j < n; j++) out[start + j] = f(a[oa! + j * sa!]!, b[ob! + j * sb!]!);
  });
}

/** y += alpha·x. */
export function axpyReference(x: TypedArray, y: TypedArray, alpha: number): void {
  for (let i = 0; i < x.length; i++) y[i]! += alpha * x[i]!;
}

const UNARY_OPS: readonly UnaryOp[] = ['neg', 'exp', 'log', 'sqrt', 'relu', 'tanh', 'sigmoid'];
const BINARY_OPS: readonly BinaryOp[] = ['add', 'sub', 'mul', 'div'];

/** Ops arrive from JS as strings; anything else is refused with the list of known ones. */
function checkOp(kernel: string, op: string, known: readonly string[]): void {
  if (!known.includes(op)) throw new ArgumentError(`${kernel}: op '${op}' is not one of ${known.join(', ')}`);
}

/** A strided operand: strides one per axis, each a non-negative integer, reaching only its own elements. */
function checkStridedOperand(k: string, name: string, x: Storage, strides: readonly number[], shape: readonly number[]): void {
  checkPerAxis(k, `${name}Strides`, strides.length, shape);
  checkStridedReach(k, name, x.length, `${name}Strides`, strides, shape);
}

/**
 * binary's out may be an input only when it is that very storage read row-major (each element
 * is then read before it is written); any other shared memory is refused.
 */
function checkBinaryOut(out: Storage, name: string, x: Storage, strides: readonly number[], shape: readonly number[]): void {
  const [o, i] = [arr(out), arr(x)];
  const same = o.buffer === i.buffer && o.byteOffset === i.byteOffset && o.byteLength === i.byteLength;
  if (same && !isRowMajor(shape, strides)) {
    throw new ArgumentError(
      `binary: out is ${name}, which needs ${name}Strides row-major for shape [${shape.join(',')}] but they are [${strides.join(',')}]`,
    );
  }
  checkSameOrSeparate('binary', 'out', o, name, i);
}

/** Each kernel checks its arguments exactly as dlp-kernels does (same messages, same order where only one is wrong). */
export function registerJsElementwiseKernels(): void {
  registerKernel('biasAdd', 'js', (_backend, { x, bias, out, rows, cols }) => {
    const k = 'biasAdd';
    checkSizes(k, { rows, cols });
    checkMatrix(k, 'x', rows, cols, x.length);
    checkVector(k, 'bias', cols, 'cols', bias.length);
    checkMatrix(k, 'out', rows, cols, out.length);
    checkSeparate(k, 'out', arr(out), 'bias', arr(bias));
    checkSameOrSeparate(k, 'out', arr(out), 'x', arr(x));
    biasAddReference(arr(x), arr(bias), arr(out), rows, cols);
  });

  registerKernel('columnSum', 'js', (_backend, { x, out, rows, cols, beta }) => {
    const k = 'columnSum';
    checkSizes(k, { rows, cols });
    checkMatrix(k, 'x', rows, cols, x.length);
    checkVector(k, 'out', cols, 'cols', out.length);
    checkSeparate(k, 'out', arr(out), 'x', arr(x));
    columnSumReference(arr(x), arr(out), rows, cols, beta);
  });

  registerKernel('elu', 'js', (_backend, { x, out, alpha }) => {
    checkSameLength('elu', 'out', out.length, 'x', x.length);
    checkSameOrSeparate('elu', 'out', arr(out), 'x', arr(x));
    eluReference(arr(x), arr(out), alpha);
  });

  registerKernel('eluBackward', 'js', (_backend, { x, dout, dx, alpha }) => {
    const k = 'eluBackward';
    checkSameLength(k, 'dout', dout.length, 'x', x.length);
    checkSameLength(k, 'dx', dx.length, 'x', x.length);
    checkSeparate(k, 'dx', arr(dx), 'x', arr(x));
    checkSameOrSeparate(k, 'dx', arr(dx), 'dout', arr(dout));
    eluBackwardReference(arr(x), arr(dout), arr(dx), alpha);
  });

  registerKernel('unary', 'js', (_backend, { op, x, out }) => {
    checkOp('unary', op, UNARY_OPS);
    checkSameLength('unary', 'out', out.length, 'x', x.length);
    checkSameOrSeparate('unary', 'out', arr(out), 'x', arr(x));
    unaryReference(op, arr(x), arr(out));
  });

  registerKernel('unaryBackward', 'js', (_backend, { op, x, y, dout, dx }) => {
    const k = 'unaryBackward';
    checkOp(k, op, UNARY_OPS);
    checkSameLength(k, 'y', y.length, 'x', x.length);
    checkSameLength(k, 'dout', dout.length, 'x', x.length);
    checkSameLength(k, 'dx', dx.length, 'x', x.length);
    checkSeparate(k, 'dx', arr(dx), 'x', arr(x));
    checkSeparate(k, 'dx', arr(dx), 'y', arr(y));
    checkSameOrSeparate(k, 'dx', arr(dx), 'dout', arr(dout));
    unaryBackwardReference(op, arr(x), arr(y), arr(dout), arr(dx));
  });

  registerKernel('binary', 'js', (_backend, { op, shape, a, aStrides, b, bStrides, out }) => {
    const k = 'binary';
    checkCounts(k, 'shape', shape);
    checkCounts(k, 'aStrides', aStrides);
    checkCounts(k, 'bStrides', bStrides);
    checkOp(k, op, BINARY_OPS);
    checkShaped(k, 'out', shape, out.length);
    checkStridedOperand(k, 'a', a, aStrides, shape);
    checkStridedOperand(k, 'b', b, bStrides, shape);
    checkBinaryOut(out, 'a', a, aStrides, shape);
    checkBinaryOut(out, 'b', b, bStrides, shape);
    binaryReference(op, shape, arr(a), aStrides, arr(b), bStrides, arr(out));
  });

  registerKernel('axpy', 'js', (_backend, { x, y, alpha }) => {
    checkSameLength('axpy', 'y', y.length, 'x', x.length);
    checkSeparate('axpy', 'y', arr(y), 'x', arr(x));
    axpyReference(arr(x), arr(y), alpha);
  });
}
