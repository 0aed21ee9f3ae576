/**
 * Classification losses in plain loops over a row-major rows×cols matrix (a row per sample),
 * float32 or float64, mean over rows:
 * - crossEntropy: −(1/rows)·Σ t·ln p, terms with t = 0 skipped; backward dprobs = −t/(p·rows), 0 where t = 0.
 * - softmaxCrossEntropy: softmax of the logits, then −(1/rows)·Σ_r ln p[r][label_r], computed as
 *   ln Σ exp(x − max) + max − x_label; writes dlogits = (softmax − onehot)/rows and probs when given.
 */

import type { TypedArray } from '../../dtype.js';

export function crossEntropyReference(probs: TypedArray, targets: TypedArray, rows: number): number {
  let total = 0;
  for (let i = 0; i < probs.length; i++) {
    const t = targets[i]!;
    if (t !== 0) total += t * Math.log(probs[i]!);
  }
  return -total / rows;
}

export function crossEntropyBackwardReference(probs: TypedArray, targets: TypedArray, dprobs: TypedArray, rows: number): void {
  for (let i = 0; i < probs.length; i++) {
    const t = targets[i]!;
    dprobs[i] = t === 0 ? 0 : -t / (probs[i]! * rows);
  }
}

export function softmaxCrossEntropyReference(
  logits: TypedArray,
  labels: Int32Array,
  rows: number,
  cols: number,
  dlogits: TypedArray | undefined,
  probs: TypedArray | undefined,
): number {
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    const label = labels[r]!;
    let max = -Infinity;
    for (let c = 0; c < cols; c++) max = Math.max(max, logits[base + c]!);
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += Math.exp(logits[base + c]! - max);
    total += Math.log(sum) + max - logits[base + label]!;
    for (let c = 0; c < cols; c++) {
      const p = Math.exp(logits[base + c]! - max) / sum;
      if (probs) probs[base + c] = p;
      if (dlogits) dlogits[base + c] = (c === label ? p - 1 : p) / rows;
    }
  }
  return total / rows;
}
