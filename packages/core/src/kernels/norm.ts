/**
 * Argument shapes of the normalisation kernels. BatchNorm views its input as
 * [outer, channels, inner] and normalises each channel over outer·inner values: BatchNorm1d is
 * [N, C, 1], BatchNorm2d is [N, C, H·W]. LayerNorm normalises each row of a rows×cols matrix.
 * Variances are biased (÷n) for normalising; eps is added before the square root.
 */

import type { Backend, Storage } from '../backends/backend.js';
import { kernelNames } from './names.js';

/**
 * Training-mode BatchNorm forward with batch statistics:
 * out = gamma·(x − mean_c)·invStd_c + beta, invStd_c = 1/√(var_c + eps).
 * Writes mean and invStd (channels each, saved for backward). When runningMean/runningVar are
 * given, updates them as PyTorch does: r ← (1 − momentum)·r + momentum·stat, with the unbiased
 * variance var·n/(n − 1) for runningVar (n = outer·inner). gamma/beta absent: 1 and 0.
 */
export interface BatchNormTrainArgs {
  x: Storage;
  outer: number;
  channels: number;
  inner: number;
  gamma?: Storage;
  beta?: Storage;
  eps: number;
  out: Storage;
  mean: Storage;
  invStd: Storage;
  runningMean?: Storage;
  runningVar?: Storage;
  momentum: number;
}

/** Eval-mode BatchNorm: out = gamma·(x − runningMean)/√(runningVar + eps) + beta. */
export interface BatchNormInferenceArgs {
  x: Storage;
  outer: number;
  channels: number;
  inner: number;
  runningMean: Storage;
  runningVar: Storage;
  gamma?: Storage;
  beta?: Storage;
  eps: number;
  out: Storage;
}

/**
 * Backward of BatchNormTrainArgs from its saved mean/invStd (x̂ = (x − mean)·invStd, n = outer·inner):
 * dbeta_c = Σ dout, dgamma_c = Σ dout·x̂, dx = gamma·invStd/n · (n·dout − Σ dout − x̂·Σ dout·x̂).
 * Each output is optional (computed only when given); dgamma/dbeta are overwritten.
 */
export interface BatchNormBackwardArgs {
  x: Storage;
  dout: Storage;
  outer: number;
  channels: number;
  inner: number;
  mean: Storage;
  invStd: Storage;
  gamma?: Storage;
  dx?: Storage;
  dgamma?: Storage;
  dbeta?: Storage;
}

/**
 * LayerNorm forward over each row: out = gamma∘(x − mean_r)·invStd_r + beta, biased variance.
 * Writes mean and invStd (rows each). gamma/beta (cols each) absent: 1 and 0.
 */
export interface LayerNormArgs {
  x: Storage;
  rows: number;
  cols: number;
  gamma?: Storage;
  beta?: Storage;
  eps: number;
  out: Storage;
  mean: Storage;
  invStd: Storage;
}

/**
 * LayerNorm backward, g = gamma∘dout per row: dx = invStd·(g − mean_j g − x̂·mean_j(g∘x̂));
 * dgamma = Σ_rows dout∘x̂, dbeta = Σ_rows dout (overwritten). Each output optional.
 */
export interface LayerNormBackwardArgs {
  x: Storage;
  dout: Storage;
  rows: number;
  cols: number;
  mean: Storage;
  invStd: Storage;
  gamma?: Storage;
  dx?: Storage;
  dgamma?: Storage;
  dbeta?: Storage;
}

/** The signatures of this concern's kernels (KernelSignatures in registry.ts gathers every concern's). */
export interface NormKernels {
  batchNormTrain(backend: Backend, args: BatchNormTrainArgs): void;
  batchNormInference(backend: Backend, args: BatchNormInferenceArgs): void;
  batchNormBackward(backend: Backend, args: BatchNormBackwardArgs): void;
  layerNorm(backend: Backend, args: LayerNormArgs): void;
  layerNormBackward(backend: Backend, args: LayerNormBackwardArgs): void;
}

export const NORM_KERNELS = kernelNames<NormKernels>({ batchNormTrain: true, batchNormInference: true, batchNormBackward: true, layerNorm: true, layerNormBackward: true });
