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
export function checkVector(kernel: string, name: string, want: number, per: 'rows' | 'cols', length: number): void {
  if (want !== length) {
    throw new ShapeError(`${kernel}: ${name} should hold ${want} elements (${per}) but holds ${length}`);
  }
}

/** `length` must equal `other`'s length (elementwise kernels). */
export function checkSameLength(kernel: string, name: string, length: number, other: string, otherLength: number): void {
  if (length !== otherLength) {
    throw new ShapeError(`${kernel}: ${name} should hold ${otherLength} elements (as many as ${other}) but holds ${length}`);
  }
}

/** Class labels: one per row, each an integer in 0..cols. */
export function checkLabels(kernel: string, labels: Int32Array, rows: number, cols: number): void {
  checkVector(kernel, 'labels', rows, 'rows', labels.length);
  const bad = labels.findIndex((label) => label < 0 || label >= cols);
  if (bad >= 0) {
    throw new ArgumentError(`${kernel}: labels[${bad}] = ${labels[bad]} is not a class index in 0..${cols}`);
  }
}

/** An output that must not share memory with an input (the fast backends refuse it too). */
export function checkSeparate(kernel: string, outName: string, out: ArrayBufferView, inName: string, input: ArrayBufferView): void {
  if (overlaps(out, input)) {
    throw new ArgumentError(`${kernel}: ${outName} overlaps ${inName}; the output must be a separate buffer`);
  }
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

function overlaps(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return (
    a.buffer === b.buffer &&
    a.byteLength > 0 &&
    b.byteLength > 0 &&
    a.byteOffset < b.byteOffset + b.byteLength &&
    b.byteOffset < a.byteOffset + a.byteLength
  );
}
