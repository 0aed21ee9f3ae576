/**
 * Argument shapes of the optimiser update kernels: the manual MLP's plain SGD update and
 * PyTorch's single-tensor SGD and Adam update rules.
 */

import type { Backend, Storage } from '../backends/backend.js';
import { kernelNames } from './names.js';

/** Plain SGD step: param −= lr·grad. */
export interface SgdUpdateArgs {
  param: Storage;
  grad: Storage;
  lr: number;
}

/**
 * One SGD step (torch.optim.SGD): d = grad + weightDecay·param;
 * with momentum: buf = firstStep ? d : momentum·buf + (1 − dampening)·d, and
 * d = nesterov ? d + momentum·buf : buf; then param −= lr·d.
 * momentumBuffer is required when momentum ≠ 0 (written on the first step, not read).
 */
export interface SgdStepArgs {
  param: Storage;
  grad: Storage;
  momentumBuffer?: Storage;
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
  firstStep: boolean;
}

/**
 * One Adam step (torch.optim.Adam, amsgrad off), `step` counting from 1:
 * g = grad + weightDecay·param; m = beta1·m + (1 − beta1)·g; v = beta2·v + (1 − beta2)·g²;
 * param −= (lr / (1 − beta1^step)) · m / (√v / √(1 − beta2^step) + eps).
 */
export interface AdamStepArgs {
  param: Storage;
  grad: Storage;
  expAvg: Storage;
  expAvgSq: Storage;
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  step: number;
}

/** The signatures of this concern's kernels (KernelSignatures in registry.ts gathers every concern's). */
export interface OptimKernels {
  sgdUpdate(backend: Backend, args: SgdUpdateArgs): void;
  sgdStep(backend: Backend, args: SgdStepArgs): void;
  adamStep(backend: Backend, args: AdamStepArgs): void;
}

export const OPTIM_KERNELS = kernelNames<OptimKernels>({ sgdUpdate: true, sgdStep: true, adamStep: true });
