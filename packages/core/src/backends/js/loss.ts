/**
 * Softmax, log-softmax and the losses on the js backend (kernels/loss.ts), in float64 loops over a
 * row-major rows×cols matrix (a row per sample; losses are means over rows), with their checks.
 */

import type { TypedArray } from '../../dtype.js';
import { checkLabels, checkMatrix, checkSameOrSeparate, checkSeparate, checkSizes } from '../../kernels/lengths.js';
import { registerKernel } from '../../kernels/registry.js';
import type { Storage } from '../backend.js';
import { arr } from './storage.js';

/** A row's max and Σ exp(x − max) over its cols elements from base (the max trick: no overflow). */
function maxAndSumExp(x: TypedArray, base: number, cols: number): [max: number, sum: number] {
  let max = -Infinity;
  for (let c = 0; c < cols; c++) max = Math.max(max, x[base + c]!);
  let sum = 0;
  for (let c = 0; c < cols; c++) sum += Math.exp(x[base + c]! - max);
  return [max, sum];
}

/**
 * Row-wise softmax: out[r] = exp(x[r] − max x[r]) / Σ exp(x[r] − max x[r]) (the max trick: no
 * overflow).
 */
export function softmaxReference(x: TypedArray, out: TypedArray, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    const [max, sum] = maxAndSumExp(x, base, cols);
    // Recomputing exp rather than storing it keeps the sum in float64 when out is float32.
    for (let c = 0; c < cols; c++) out[base + c] = Math.exp(x[base + c]! - max) / sum;
  }
}

/** Softmax's backward from the output s: dx[r] = s[r] ∘ (dout[r] − Σ_c dout[r][c]·s[r][c]). */
export function softmaxBackwardReference(s: TypedArray, dout: TypedArray, dx: TypedArray, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let dot = 0;
    for (let c = 0; c < cols; c++) dot += dout[base + c]! * s[base + c]!;
    for (let c = 0; c < cols; c++) dx[base + c] = s[base + c]! * (dout[base + c]! - dot);
  }
}

/** crossEntropy: −(1/rows)·Σ t·ln p, terms with t = 0 skipped. */
export function crossEntropyReference(probs: TypedArray, targets: TypedArray, rows: number): number {
  let total = 0;
  for (let i = 0; i < probs.length; i++) {
    const t = targets[i]!;
    if (t !== 0) total += t * Math.log(probs[i]!);
  }
  return -total / rows;
}

/** crossEntropy's backward: dprobs = −t/(p·rows), 0 where t = 0. */
export function crossEntropyBackwardReference(probs: TypedArray, targets: TypedArray, dprobs: TypedArray, rows: number): void {
  for (let i = 0; i < probs.length; i++) {
    const t = targets[i]!;
    dprobs[i] = t === 0 ? 0 : -t / (probs[i]! * rows);
  }
}

/**
 * softmaxCrossEntropy: softmax of the logits, then −(1/rows)·Σ_r ln p[r][label_r], computed as
 * ln Σ exp(x − max) + max − x_label; writes dlogits = (softmax − onehot)/rows and probs when given.
 */
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
    const [max, sum] = maxAndSumExp(logits, base, cols);
    total += Math.log(sum) + max - logits[base + label]!;
    for (let c = 0; c < cols; c++) {
      const p = Math.exp(logits[base + c]! - max) / sum;
      if (probs) probs[base + c] = p;
      if (dlogits) dlogits[base + c] = (c === label ? p - 1 : p) / rows;
    }
  }
  return total / rows;
}

export function logSoftmaxReference(x: TypedArray, out: TypedArray, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    const [max, sum] = maxAndSumExp(x, base, cols);
    // (x − max) − ln Σ, not x − (max + ln Σ): near the max the result is small and a rounded
    // max + ln Σ would swamp it.
    const logSum = Math.log(sum);
    for (let c = 0; c < cols; c++) out[base + c] = x[base + c]! - max - logSum;
  }
}

export function logSoftmaxBackwardReference(y: TypedArray, dout: TypedArray, dx: TypedArray, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += dout[base + c]!;
    // The sum is taken before any write, so dx may be dout.
    for (let c = 0; c < cols; c++) dx[base + c] = dout[base + c]! - Math.exp(y[base + c]!) * sum;
  }
}

export function nllLossReference(logp: TypedArray, labels: Int32Array, rows: number, cols: number): number {
  let total = 0;
  for (let r = 0; r < rows; r++) total += logp[r * cols + labels[r]!]!;
  return -total / rows;
}

export function nllLossBackwardReference(labels: Int32Array, rows: number, cols: number, scale: number, dlogp: TypedArray): void {
  dlogp.fill(0);
  for (let r = 0; r < rows; r++) dlogp[r * cols + labels[r]!] = -scale / rows;
}

/** rows and cols, each a size, then each of `matrices` (in order) rows×cols. */
function checkRowsCols(kernel: string, rows: number, cols: number, matrices: Record<string, Storage>): void {
  checkSizes(kernel, { rows, cols });
  for (const [name, s] of Object.entries(matrices)) checkMatrix(kernel, name, rows, cols, s.length);
}

/** softmax and logSoftmax: a rows×cols x mapped row by row into a separate out. */
function registerRowwise(k: 'softmax' | 'logSoftmax', loop: (x: TypedArray, out: TypedArray, rows: number, cols: number) => void): void {
  registerKernel(k, 'js', (_backend, { x, out, rows, cols }) => {
    checkRowsCols(k, rows, cols, { x, out });
    checkSeparate(k, 'out', arr(out), 'x', arr(x));
    loop(arr(x), arr(out), rows, cols);
  });
}

/**
 * softmaxBackward and logSoftmaxBackward: the forward's output (s or y), dout and dx all rows×cols;
 * dx apart from the output, and from dout unless `dxMayBeDout` (log-softmax sums dout first).
 */
function checkRowwiseBackward(
  kernel: string,
  rows: number,
  cols: number,
  [name, y]: [name: string, output: Storage],
  dout: Storage,
  dx: Storage,
  dxMayBeDout: boolean,
): void {
  checkRowsCols(kernel, rows, cols, { [name]: y, dout, dx });
  checkSeparate(kernel, 'dx', arr(dx), name, arr(y));
  (dxMayBeDout ? checkSameOrSeparate : checkSeparate)(kernel, 'dx', arr(dx), 'dout', arr(dout));
}

/** Each kernel checks its arguments exactly as dlp-kernels does (same messages, same order where only one is wrong). */
export function registerJsLossKernels(): void {
  registerRowwise('softmax', softmaxReference);

  registerKernel('softmaxBackward', 'js', (_backend, { s, dout, dx, rows, cols }) => {
    checkRowwiseBackward('softmaxBackward', rows, cols, ['s', s], dout, dx, false);
    softmaxBackwardReference(arr(s), arr(dout), arr(dx), rows, cols);
  });

  registerKernel('crossEntropy', 'js', (_backend, { probs, targets, rows, cols }) => {
    checkRowsCols('crossEntropy', rows, cols, { probs, targets });
    return crossEntropyReference(arr(probs), arr(targets), rows);
  });

  registerKernel('crossEntropyBackward', 'js', (_backend, { probs, targets, dprobs, rows, cols }) => {
    const k = 'crossEntropyBackward';
    checkRowsCols(k, rows, cols, { probs, targets, dprobs });
    checkSeparate(k, 'dprobs', arr(dprobs), 'probs', arr(probs));
    checkSeparate(k, 'dprobs', arr(dprobs), 'targets', arr(targets));
    crossEntropyBackwardReference(arr(probs), arr(targets), arr(dprobs), rows);
  });

  registerKernel('softmaxCrossEntropy', 'js', (_backend, { logits, labels, rows, cols, dlogits, probs }) => {
    const k = 'softmaxCrossEntropy';
    checkRowsCols(k, rows, cols, { logits });
    checkLabels(k, labels, rows, cols);
    if (dlogits) {
      checkMatrix(k, 'dlogits', rows, cols, dlogits.length);
      checkSeparate(k, 'dlogits', arr(dlogits), 'logits', arr(logits));
    }
    if (probs) {
      checkMatrix(k, 'probs', rows, cols, probs.length);
      checkSeparate(k, 'probs', arr(probs), 'logits', arr(logits));
      if (dlogits) checkSeparate(k, 'dlogits', arr(dlogits), 'probs', arr(probs));
    }
    return softmaxCrossEntropyReference(arr(logits), labels, rows, cols, dlogits && arr(dlogits), probs && arr(probs));
  });

  registerRowwise('logSoftmax', logSoftmaxReference);

  registerKernel('logSoftmaxBackward', 'js', (_backend, { y, dout, dx, rows, cols }) => {
    checkRowwiseBackward('logSoftmaxBackward', rows, cols, ['y', y], dout, dx, true);
    logSoftmaxBackwardReference(arr(y), arr(dout), arr(dx), rows, cols);
  });

  registerKernel('nllLoss', 'js', (_backend, { logp, labels, rows, cols }) => {
    checkRowsCols('nllLoss', rows, cols, { logp });
    checkLabels('nllLoss', labels, rows, cols);
    return nllLossReference(arr(logp), labels, rows, cols);
  });

  registerKernel('nllLossBackward', 'js', (_backend, { labels, rows, cols, scale, dlogp }) => {
    checkRowsCols('nllLossBackward', rows, cols, { dlogp });
    checkLabels('nllLossBackward', labels, rows, cols);
    nllLossBackwardReference(labels, rows, cols, scale, arr(dlogp));
  });
}
