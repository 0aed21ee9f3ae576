/**
 * Row-wise softmax in plain loops over a row-major rows×cols matrix, float32 or float64:
 * out[r] = exp(x[r] − max x[r]) / Σ exp(x[r] − max x[r]) (the max trick: no overflow), and its
 * backward from the output s: dx[r] = s[r] ∘ (dout[r] − Σ_c dout[r][c]·s[r][c]).
 */

import type { TypedArray } from '../../dtype.js';

export function softmaxReference(x: TypedArray, out: TypedArray, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let max = -Infinity;
    for (let c = 0; c < cols; c++) max = Math.max(max, x[base + c]!);
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += Math.exp(x[base + c]! - max);
    // Recomputing exp rather than storing it keeps the sum in float64 when out is float32.
    for (let c = 0; c < cols; c++) out[base + c] = Math.exp(x[base + c]! - max) / sum;
  }
}

export function softmaxBackwardReference(s: TypedArray, dout: TypedArray, dx: TypedArray, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let dot = 0;
    for (let c = 0; c < cols; c++) dot += dout[base + c]! * s[base + c]!;
    for (let c = 0; c < cols; c++) dx[base + c] = s[base + c]! * (dout[base + c]! - dot);
  }
}
