/** Element types a tensor can hold: float32 everywhere, float64 on the js reference backend. */

import { DTypeError } from './errors.js';

export type DType = 'float32' | 'float64';

export type TypedArray = Float32Array | Float64Array;

export const DTYPES: readonly DType[] = ['float32', 'float64'];

/** A zero-filled typed array of `length` elements of `dtype`. */
export function allocateTypedArray(dtype: DType, length: number): TypedArray {
  return dtype === 'float64' ? new Float64Array(length) : new Float32Array(length);
}

/** The dtype of an existing typed array. */
export function dtypeOf(array: TypedArray): DType {
  return array instanceof Float64Array ? 'float64' : 'float32';
}

export function assertDType(value: string): DType {
  if ((DTYPES as readonly string[]).includes(value)) return value as DType;
  throw new DTypeError(`unknown dtype '${value}': expected one of ${DTYPES.join(', ')}`);
}
