/**
 * Argument checks for kernels run in TypeScript (the js backend; gemm on wasm, whose binding
 * gets bare pointers). Messages match dlp-kernels' `check.rs` and `alias.rs` word for word, so
 * every backend reports a misfit the same way: "softmax: out should hold 2x3 = 6 elements but holds 5".
 */

import { ArgumentError, ShapeError } from '../errors.js';

/** `length` must be rows·cols (a row-major rows×cols matrix). */
export function checkMatrix(kernel: string, name: string, rows: number, cols: number, length: number): void {
  if (rows * cols !== length) {
    throw new ShapeError(`${kernel}: ${name} should hold ${rows}x${cols} = ${rows * cols} elements but holds ${length}`);
  }
}

/** `length` must be `want`, one element per row or per column (`per` says which). */
export function checkVector(kernel: string, name: string, want: number, per: 'rows' | 'cols' | 'channels', length: number): void {
  if (want !== length) {
    throw new ShapeError(`${kernel}: ${name} should hold ${want} elements (${per}) but holds ${length}`);
  }
}

/** `length` must be the product of `dims` (a row-major tensor, e.g. BatchNorm's [outer, channels, inner]). */
export function checkTensor(kernel: string, name: string, dims: readonly number[], length: number): void {
  const want = dims.reduce((a, b) => a * b, 1);
  if (want !== length) {
    throw new ShapeError(`${kernel}: ${name} should hold ${dims.join('x')} = ${want} elements but holds ${length}`);
  }
}

/** `length` must equal `other`'s length (elementwise kernels). */
export function checkSameLength(kernel: string, name: string, length: number, other: string, otherLength: number): void {
  if (length !== otherLength) {
    throw new ShapeError(`${kernel}: ${name} should hold ${otherLength} elements (as many as ${other}) but holds ${length}`);
  }
}

/** Class labels: one per row, each an integer in 0..cols-1. */
export function checkLabels(kernel: string, labels: Int32Array, rows: number, cols: number): void {
  checkVector(kernel, 'labels', rows, 'rows', labels.length);
  const bad = labels.findIndex((label) => label < 0 || label >= cols);
  if (bad >= 0) {
    throw new ArgumentError(`${kernel}: labels[${bad}] = ${labels[bad]} is not a class index in ${indexRange(cols)}`);
  }
}

/** An output that must not share memory with an input (the fast backends refuse it too). */
export function checkSeparate(kernel: string, outName: string, out: ArrayBufferView, inName: string, input: ArrayBufferView): void {
  if (overlaps(out, input)) {
    throw new ArgumentError(`${kernel}: ${outName} overlaps ${inName}; the output must be a separate buffer`);
  }
}

/**
 * Kernels with several outputs (BatchNorm, the optimisers): every output separate from every
 * input and from every other output, checked in that order, as dlp-kernels' `check_all_separate`.
 */
export function checkAllSeparate(
  kernel: string,
  outputs: ReadonlyArray<readonly [string, ArrayBufferView | undefined]>,
  inputs: ReadonlyArray<readonly [string, ArrayBufferView | undefined]>,
): void {
  outputs.forEach(([outName, out], i) => {
    if (!out) return;
    for (const [inName, input] of [...inputs, ...outputs.slice(i + 1)]) {
      if (input) checkSeparate(kernel, outName, out, inName, input);
    }
  });
}

/** For kernels that may run in place: `out` is exactly `input` or disjoint from it, as on the fast backends. */
export function checkSameOrSeparate(kernel: string, outName: string, out: ArrayBufferView, inName: string, input: ArrayBufferView): void {
  const same = out.buffer === input.buffer && out.byteOffset === input.byteOffset && out.byteLength === input.byteLength;
  if (!same && overlaps(out, input)) {
    throw new ArgumentError(
      `${kernel}: ${outName} partly overlaps ${inName}; it must be the same buffer (in place) or a separate one`,
    );
  }
}

/** An entry of a shape or strides list (dlp-kernels' `counts`): an integer from 0 to 2^53. */
function isCount(v: number): boolean {
  return Number.isInteger(v) && v >= 0 && v <= 2 ** 53;
}

/**
 * Sizes (rows, cols, channels, a convolution's geometry) arrive as JS numbers: each must be an
 * integer below 2^32 (dlp-contract's `size` kind: a wasm32 usize). Checked first and in the order
 * given, which is the kernel's argument order in the Rust contract (its bindings check each size
 * as they convert it, before the kernel runs): "softmax: rows = -1 is not an integer in [0, 2^32)".
 */
export function checkSizes(kernel: string, sizes: Readonly<Record<string, number>>): void {
  for (const [name, value] of Object.entries(sizes)) {
    if (!(Number.isInteger(value) && value >= 0 && value < 2 ** 32)) {
      throw new ArgumentError(`${kernel}: ${name} = ${value} is not an integer in [0, 2^32)`);
    }
  }
}

/** Shapes, strides and axis lists arrive as JS numbers: each must be a non-negative integer. */
export function checkCounts(kernel: string, name: string, values: readonly number[]): void {
  const bad = values.findIndex((v) => !isCount(v));
  if (bad >= 0) {
    throw new ArgumentError(`${kernel}: ${name}[${bad}] = ${values[bad]} is not a non-negative integer`);
  }
}

/** `count` per-axis entries (strides, axis flags) for a tensor of `shape`. */
export function checkPerAxis(kernel: string, name: string, count: number, shape: readonly number[]): void {
  if (count !== shape.length) {
    throw new ShapeError(
      `${kernel}: ${name} should hold ${shape.length} entries (one per axis of shape [${shape.join(',')}]) but holds ${count}`,
    );
  }
}

/** `length` must be the element count of `shape` (a row-major tensor). */
export function checkShaped(kernel: string, name: string, shape: readonly number[], length: number): void {
  const want = shape.reduce((n, d) => n * d, 1);
  if (want !== length) {
    throw new ShapeError(`${kernel}: ${name} should hold ${want} elements (shape [${shape.join(',')}]) but holds ${length}`);
  }
}

/** A view of `shape` through `strides` must stay inside its storage's `length` elements. */
export function checkStridedReach(
  kernel: string,
  name: string,
  length: number,
  stridesName: string,
  strides: readonly number[],
  shape: readonly number[],
): void {
  if (shape.some((d) => d === 0)) return;
  const last = shape.reduce((sum, d, i) => sum + (d - 1) * strides[i]!, 0);
  if (last >= length) {
    throw new ShapeError(
      `${kernel}: ${name} should hold at least ${last + 1} elements (shape [${shape.join(',')}] read through ` +
        `${stridesName} [${strides.join(',')}]) but holds ${length}`,
    );
  }
}

/** Indices into an axis of `size` (argmax indices), each in 0..size-1. */
export function checkIndices(kernel: string, name: string, indices: Int32Array, size: number): void {
  const bad = indices.findIndex((i) => i < 0 || i >= size);
  if (bad >= 0) {
    throw new ArgumentError(`${kernel}: ${name}[${bad}] = ${indices[bad]} is not an index in ${indexRange(size)}`);
  }
}

function overlaps(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return (
    a.buffer === b.buffer &&
    a.byteLength > 0 &&
    b.byteLength > 0 &&
    a.byteOffset < b.byteOffset + b.byteLength &&
    b.byteOffset < a.byteOffset + a.byteLength
  );
}

/** The valid indices of `count` things, inclusive, as people read them: "0..9" for ten; "none" for zero. */
export function indexRange(count: number): string {
  return count > 0 ? `0..${count - 1}` : '(none: there are 0)';
}
