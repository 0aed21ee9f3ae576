/**
 * The element types of weight files, named as safetensors names them, shared by the safetensors
 * and PyTorch (`.pth`) readers so both return the same tensors. JavaScript has no 16-bit float
 * array, so F16 and BF16 elements are kept as their raw bits in a Uint16Array until converted
 * (./half.ts); BOOL is one byte per element, 0 or 1.
 */

/** The dtypes dlp reads and writes (the safetensors spec defines more: U16, U32, F8_*, ...). */
export type WeightDType = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

/** The typed array holding each dtype's elements. */
export interface WeightArrays {
  F64: Float64Array;
  F32: Float32Array;
  /** IEEE binary16 bits. */
  F16: Uint16Array;
  /** bfloat16 bits (the top half of a float32). */
  BF16: Uint16Array;
  I64: BigInt64Array;
  I32: Int32Array;
  I16: Int16Array;
  I8: Int8Array;
  U8: Uint8Array;
  BOOL: Uint8Array;
}

/** One tensor: its dtype, its shape (`[]` for a scalar) and its row-major elements. */
export type WeightTensor = {
  [D in WeightDType]: { dtype: D; shape: number[]; data: WeightArrays[D] };
}[WeightDType];

export type WeightTensors = Record<string, WeightTensor>;

export interface WeightDTypeInfo {
  /** Bytes per element. */
  size: number;
  array: new (length: number) => WeightArrays[WeightDType];
}

export const WEIGHT_DTYPE_INFO: Readonly<Record<WeightDType, WeightDTypeInfo>> = {
  F64: { size: 8, array: Float64Array },
  F32: { size: 4, array: Float32Array },
  F16: { size: 2, array: Uint16Array },
  BF16: { size: 2, array: Uint16Array },
  I64: { size: 8, array: BigInt64Array },
  I32: { size: 4, array: Int32Array },
  I16: { size: 2, array: Int16Array },
  I8: { size: 1, array: Int8Array },
  U8: { size: 1, array: Uint8Array },
  BOOL: { size: 1, array: Uint8Array },
};

export const WEIGHT_DTYPES = Object.keys(WEIGHT_DTYPE_INFO) as readonly WeightDType[];

export function isWeightDType(dtype: string): dtype is WeightDType {
  return Object.prototype.hasOwnProperty.call(WEIGHT_DTYPE_INFO, dtype);
}

/** The host's byte order must match the files' (little-endian): true of x86, arm64 and wasm. */
export const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * A fresh typed array of `dtype` holding a copy of `bytes` (any alignment; the length must be
 * a multiple of the element size, which callers have checked).
 */
export function copyElements<D extends WeightDType>(dtype: D, bytes: Uint8Array): WeightArrays[D] {
  const { size, array } = WEIGHT_DTYPE_INFO[dtype];
  const out = new array(bytes.byteLength / size);
  new Uint8Array(out.buffer).set(bytes);
  return out as WeightArrays[D];
}

/** Defines `key` as an own enumerable entry, so that a tensor named `__proto__` stays a plain entry. */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
