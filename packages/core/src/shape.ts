/** Shapes and row-major strides: validation, element counts, and how they read in messages. */

import { ShapeError } from './errors.js';

export type Shape = readonly number[];

/** "[200,3072]": how shapes appear in every error message. */
export function formatShape(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

/** Throws unless every dimension is a non-negative integer. */
export function checkShape(shape: Shape, what = 'shape'): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new ShapeError(`${what} ${formatShape(shape)} has a dimension that is not a non-negative integer`);
    }
  }
}

/** Number of elements of a tensor of this shape (1 for a scalar's []). */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major (C-order) strides of a contiguous tensor, in elements. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = stride;
    stride *= shape[i]!;
  }
  return strides;
}

/** True when strides describe the row-major layout of shape (size-1 dims may have any stride). */
export function isRowMajor(shape: Shape, strides: readonly number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && strides[i] !== expected) return false;
    expected *= shape[i]!;
  }
  return true;
}
