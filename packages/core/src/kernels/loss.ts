/**
 * Argument shapes of softmax, log-softmax and the losses over them, with their backwards. Losses
 * return the mean over rows; labels stay in host memory as Int32Array.
 */

import type { Backend, Storage } from '../backends/backend.js';
import { kernelNames } from './names.js';

/** Row softmax with the max trick: out[r] = exp(x[r] − max x[r]) / Σ exp(x[r] − max x[r]). */
export interface SoftmaxArgs {
  x: Storage;
  out: Storage;
  rows: number;
  cols: number;
}

/** Softmax backward from its output s: dx[r] = s[r] ∘ (dout[r] − Σ_c dout[r][c]·s[r][c]). */
export interface SoftmaxBackwardArgs {
  s: Storage;
  dout: Storage;
  dx: Storage;
  rows: number;
  cols: number;
}

/**
 * Cross-entropy of probabilities against one-hot (or soft) targets, mean over rows:
 * loss = −(1/rows)·Σ t·log p, terms with t = 0 skipped. The kernel returns the loss.
 */
export interface CrossEntropyArgs {
  probs: Storage;
  targets: Storage;
  rows: number;
  cols: number;
}

/** Gradient of CrossEntropyArgs' loss wrt the probabilities: dprobs = −t / (p·rows). */
export interface CrossEntropyBackwardArgs {
  probs: Storage;
  targets: Storage;
  dprobs: Storage;
  rows: number;
  cols: number;
}

/**
 * Fused softmax + cross-entropy on logits with integer labels (0..cols−1), mean over rows.
 * Returns the loss; writes dlogits = (softmax − onehot)/rows and probs when given.
 */
export interface SoftmaxCrossEntropyArgs {
  logits: Storage;
  labels: Int32Array;
  rows: number;
  cols: number;
  dlogits?: Storage;
  probs?: Storage;
}

/** Row log-softmax: out[r] = x[r] − max x[r] − log Σ exp(x[r] − max x[r]). */
export interface LogSoftmaxArgs {
  x: Storage;
  out: Storage;
  rows: number;
  cols: number;
}

/** Backward from the output y: dx[r] = dout[r] − exp(y[r])·Σ_c dout[r][c] (dx may be dout). */
export interface LogSoftmaxBackwardArgs {
  y: Storage;
  dout: Storage;
  dx: Storage;
  rows: number;
  cols: number;
}

/** Negative log-likelihood of log-probabilities, mean over rows: −(1/rows)·Σ_r logp[r][labels[r]]. Returns it. */
export interface NllLossArgs {
  logp: Storage;
  labels: Int32Array;
  rows: number;
  cols: number;
}

/** dlogp = 0 except dlogp[r][labels[r]] = −scale/rows (scale: the loss's incoming gradient). */
export interface NllLossBackwardArgs {
  labels: Int32Array;
  rows: number;
  cols: number;
  scale: number;
  dlogp: Storage;
}

/** The signatures of this concern's kernels (KernelSignatures in registry.ts gathers every concern's). */
export interface LossKernels {
  softmax(backend: Backend, args: SoftmaxArgs): void;
  softmaxBackward(backend: Backend, args: SoftmaxBackwardArgs): void;
  crossEntropy(backend: Backend, args: CrossEntropyArgs): number;
  crossEntropyBackward(backend: Backend, args: CrossEntropyBackwardArgs): void;
  softmaxCrossEntropy(backend: Backend, args: SoftmaxCrossEntropyArgs): number;
  logSoftmax(backend: Backend, args: LogSoftmaxArgs): void;
  logSoftmaxBackward(backend: Backend, args: LogSoftmaxBackwardArgs): void;
  nllLoss(backend: Backend, args: NllLossArgs): number;
  nllLossBackward(backend: Backend, args: NllLossBackwardArgs): void;
}

export const LOSS_KERNELS = kernelNames<LossKernels>({ softmax: true, softmaxBackward: true, crossEntropy: true, crossEntropyBackward: true, softmaxCrossEntropy: true, logSoftmax: true, logSoftmaxBackward: true, nllLoss: true, nllLossBackward: true });
