/**
 * The autograd ops' kernels in plain loops on float32 or float64 arrays (the float64 oracle):
 * unary functions and their backward, broadcasting binary ops and strided copies (views read
 * through strides, 0 broadcasting), sums over axes, max along an axis with its argmax,
 * row log-softmax, NLL loss, and y += alpha·x. Sums run in float64 and round once.
 */

import type { TypedArray } from '../../dtype.js';
import type { BinaryOp, UnaryOp } from '../../kernels/elementwise.js';

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

/**
 * Walks `shape` in row-major order one last-axis row at a time: `row(start, offsets)` gets the
 * row's flat index and, per strides list, the offset of its first element. A scalar ([]) is one
 * row of one element. Rows rather than elements keep the callback out of the inner loop.
 */
function forEachRow(
  shape: readonly number[],
  strides: ReadonlyArray<readonly number[]>,
  row: (start: number, offsets: readonly number[]) => void,
): void {
  const rank = shape.length;
  const size = shape.reduce((n, d) => n * d, 1);
  if (size === 0) return;
  const inner = rank === 0 ? 1 : shape[rank - 1]!;
  const index = new Array<number>(rank).fill(0);
  const offsets = strides.map(() => 0);
  for (let start = 0; start < size; start += inner) {
    row(start, offsets);
    for (let d = rank - 2; d >= 0; d--) {
      index[d]!++;
      strides.forEach((s, k) => (offsets[k]! += s[d]!));
      if (index[d]! < shape[d]!) break;
      strides.forEach((s, k) => (offsets[k]! -= s[d]! * shape[d]!));
      index[d] = 0;
    }
  }
}

/** The last axis's length and each strides list's step along it (1 and 0 for a scalar). */
function lastAxis(shape: readonly number[], strides: ReadonlyArray<readonly number[]>): [number, number[]] {
  const rank = shape.length;
  return rank === 0 ? [1, strides.map(() => 0)] : [shape[rank - 1]!, strides.map((s) => s[rank - 1]!)];
}

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

export function copyReference(shape: readonly number[], x: TypedArray, strides: readonly number[], out: TypedArray): void {
  const [n, [s]] = lastAxis(shape, [strides]);
  forEachRow(shape, [strides], (start, [o]) => {
    for (let j = 0; j < n; j++) out[start + j] = x[o! + j * s!]!;
  });
}

/** out = beta·out + Σ over the axes marked true (beta = 0 ignores out's old contents, NaN included). */
export function reduceSumReference(x: TypedArray, shape: readonly number[], axes: readonly boolean[], out: TypedArray, beta: number): void {
  // Each element of x adds into out at the row-major offset of its kept axes: strides 0 on summed axes.
  const outStrides = new Array<number>(shape.length);
  let stride = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    outStrides[d] = axes[d] ? 0 : stride;
    if (!axes[d]) stride *= shape[d]!;
  }
  const sums = new Float64Array(out.length);
  const [n, [s]] = lastAxis(shape, [outStrides]);
  forEachRow(shape, [outStrides], (start, [o]) => {
    for (let j = 0; j < n; j++) sums[o! + j * s!]! += x[start + j]!;
  });
  for (let i = 0; i < out.length; i++) out[i] = beta === 0 ? sums[i]! : beta * out[i]! + sums[i]!;
}

export function maxAlongReference(x: TypedArray, outer: number, size: number, inner: number, out: TypedArray, indices: Int32Array): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i;
      let best = x[base]!;
      let at = 0;
      // Strictly greater keeps the first maximum; the first NaN wins and stays (NaN > v is false).
      for (let s = 1; s < size && best === best; s++) {
        const v = x[base + s * inner]!;
        if (v > best || v !== v) [best, at] = [v, s];
      }
      out[o * inner + i] = best;
      indices[o * inner + i] = at;
    }
  }
}

export function maxAlongBackwardReference(
  dout: TypedArray,
  indices: Int32Array,
  outer: number,
  size: number,
  inner: number,
  dx: TypedArray,
): void {
  dx.fill(0);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) dx[(o * size + indices[o * inner + i]!) * inner + i]! += dout[o * inner + i]!;
  }
}

export function logSoftmaxReference(x: TypedArray, out: TypedArray, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let max = -Infinity;
    for (let c = 0; c < cols; c++) max = Math.max(max, x[base + c]!);
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += Math.exp(x[base + c]! - max);
    // (x − max) − ln Σ, not x − (max + ln Σ): near the max the result is small and a rounded
    // max + ln Σ would swamp it.
    const logSum = Math.log(sum);
    for (let c = 0; c < cols; c++) out[base + c] = x[base + c]! - max - logSum;
  }
}

export function logSoftmaxBackwardReference(y: TypedArray, dout: TypedArray, dx: TypedArray, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += dout[base + c]!;
    // The sum is taken before any write, so dx may be dout.
    for (let c = 0; c < cols; c++) dx[base + c] = dout[base + c]! - Math.exp(y[base + c]!) * sum;
  }
}

export function nllLossReference(logp: TypedArray, labels: Int32Array, rows: number, cols: number): number {
  let total = 0;
  for (let r = 0; r < rows; r++) total += logp[r * cols + labels[r]!]!;
  return -total / rows;
}

export function nllLossBackwardReference(labels: Int32Array, rows: number, cols: number, scale: number, dlogp: TypedArray): void {
  dlogp.fill(0);
  for (let r = 0; r < rows; r++) dlogp[r * cols + labels[r]!] = -scale / rows;
}

export function axpyReference(x: TypedArray, y: TypedArray, alpha: number): void {
  for (let i = 0; i < x.length; i++) y[i]! += alpha * x[i]!;
}
