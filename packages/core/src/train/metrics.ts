/** Small helpers shared by trainers: argmax accuracy and one-hot targets. */

import { allocateTypedArray } from '../dtype.js';
import type { Tensor } from '../tensor.js';

/** How many rows of `scores` ([rows, cols], row-major) have their maximum at `labels[row]`. */
export function countCorrect(scores: ArrayLike<number>, labels: ArrayLike<number>, cols: number): number {
  let correct = 0;
  for (let r = 0; r < labels.length; r++) {
    const base = r * cols;
    let best = 0;
    for (let c = 1; c < cols; c++) if (scores[base + c]! > scores[base + best]!) best = c;
    if (best === labels[r]) correct++;
  }
  return correct;
}

/** One-hot rows for `labels` written into `target` ([B, classes], zeroed first). */
export function writeOneHot(target: Tensor, labels: ArrayLike<number>, classes: number): void {
  const rows = allocateTypedArray(target.dtype, target.size);
  for (let r = 0; r < labels.length; r++) rows[r * classes + labels[r]!] = 1;
  target.backend.write(target.storage, rows);
}
