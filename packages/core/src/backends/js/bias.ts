/**
 * A Linear layer's bias in plain loops, row-major rows×cols, on float32 or float64 arrays:
 * biasAdd (out[r][c] = x[r][c] + bias[c]; out may be x) and its backward columnSum
 * (out[c] = beta·out[c] + Σ_r x[r][c]; beta = 0 ignores out's old contents, NaN included).
 */

import type { TypedArray } from '../../dtype.js';

export function biasAddReference(x: TypedArray, bias: TypedArray, out: TypedArray, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) out[base + c] = x[base + c]! + bias[c]!;
  }
}

export function columnSumReference(x: TypedArray, out: TypedArray, rows: number, cols: number, beta: number): void {
  // Summed in float64 and rounded once, like every js kernel.
  const sums = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) sums[c]! += x[base + c]!;
  }
  for (let c = 0; c < cols; c++) out[c] = beta === 0 ? sums[c]! : beta * out[c]! + sums[c]!;
}
