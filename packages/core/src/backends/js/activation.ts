/**
 * ELU in plain loops, elementwise, on float32 or float64 arrays:
 * out = x > 0 ? x : alpha·(eˣ − 1) (out may be x), and its backward from the input,
 * dx = dout · (x > 0 ? 1 : alpha·eˣ) (dx may be dout). eˣ − 1 is Math.expm1, exact near 0.
 */

import type { TypedArray } from '../../dtype.js';

export function eluReference(x: TypedArray, out: TypedArray, alpha: number): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    out[i] = v > 0 ? v : alpha * Math.expm1(v);
  }
}

export function eluBackwardReference(x: TypedArray, dout: TypedArray, dx: TypedArray, alpha: number): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    dx[i] = v > 0 ? dout[i]! : dout[i]! * alpha * Math.exp(v);
  }
}
