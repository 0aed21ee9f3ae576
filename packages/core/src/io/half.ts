/**
 * 16-bit floats to float32, exactly: every float16 and bfloat16 value (±0, subnormals, ±Inf,
 * NaN payloads) is a float32 value, so the conversion is lossless. Weight files keep these
 * dtypes as raw bits (./weight-dtypes.ts); a model's parameters are float32 or float64.
 */

import type { WeightTensor } from './weight-dtypes.js';

/** IEEE binary16 bits to float32, built bit by bit (sign, exponent re-biased by 127 - 15 = 112, mantissa shifted by 13). */
export function float16BitsToFloat32(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  const outBits = new Uint32Array(out.buffer);
  for (let i = 0; i < bits.length; i++) {
    const h = bits[i]!;
    const sign = (h & 0x8000) << 16;
    const exponent = (h >> 10) & 0x1f;
    const mantissa = h & 0x3ff;
    if (exponent === 0) {
      // zero or subnormal: mantissa * 2^-24 is exact in float32
      out[i] = mantissa * 2 ** -24;
      outBits[i] = (outBits[i]! | sign) >>> 0;
    } else if (exponent === 0x1f) {
      outBits[i] = (sign | 0x7f800000 | (mantissa << 13)) >>> 0;
    } else {
      outBits[i] = (sign | ((exponent + 112) << 23) | (mantissa << 13)) >>> 0;
    }
  }
  return out;
}

/** bfloat16 bits to float32: they are the float32's top 16 bits. */
export function bfloat16BitsToFloat32(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  const outBits = new Uint32Array(out.buffer);
  for (let i = 0; i < bits.length; i++) outBits[i] = bits[i]! << 16;
  return out;
}

/** The tensor as F32 when it is F16 or BF16; any other tensor is returned as it is. */
export function halfToFloat32(tensor: WeightTensor): WeightTensor {
  if (tensor.dtype === 'F16') return { dtype: 'F32', shape: tensor.shape, data: float16BitsToFloat32(tensor.data) };
  if (tensor.dtype === 'BF16') return { dtype: 'F32', shape: tensor.shape, data: bfloat16BitsToFloat32(tensor.data) };
  return tensor;
}
