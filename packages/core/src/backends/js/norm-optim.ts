/**
 * BatchNorm, LayerNorm and the SGD/Adam steps in plain loops, float32 or float64 storages, every
 * sum and intermediate in float64 (rounded once when stored): the oracle the fast backends and
 * the gradient checks use. Formulas and shapes: kernels/norm.ts and kernels/optim.ts.
 * Arguments arrive checked (norm-optim-kernels.ts); these functions only compute.
 */

import type { TypedArray } from '../../dtype.js';
import type { BatchNormBackwardArgs, BatchNormInferenceArgs, BatchNormTrainArgs, LayerNormArgs, LayerNormBackwardArgs } from '../../kernels/norm.js';
import type { AdamStepArgs, SgdStepArgs } from '../../kernels/optim.js';
import type { WithBuffers } from '../../kernels/with-buffers.js';

/** A kernel's arguments with every storage replaced by its typed array. */
export type OnArrays<A> = WithBuffers<A, TypedArray>;

/** Element (o, c, i) of an [outer, channels, inner] tensor, visited channel by channel. */
function forChannel(outer: number, channels: number, inner: number, c: number, visit: (index: number) => void): void {
  for (let o = 0; o < outer; o++) {
    const base = (o * channels + c) * inner;
    for (let i = 0; i < inner; i++) visit(base + i);
  }
}

export function batchNormTrainReference(a: OnArrays<BatchNormTrainArgs>): void {
  const { x, outer, channels, inner, gamma, beta, out } = a;
  const n = outer * inner;
  for (let c = 0; c < channels; c++) {
    // Two passes (mean, then squared deviations): no cancellation, whatever the offset.
    let sum = 0;
    forChannel(outer, channels, inner, c, (j) => (sum += x[j]!));
    const mean = n > 0 ? sum / n : 0;
    let squares = 0;
    forChannel(outer, channels, inner, c, (j) => (squares += (x[j]! - mean) ** 2));
    const variance = n > 0 ? squares / n : 0;
    const invStd = 1 / Math.sqrt(variance + a.eps);
    const g = gamma ? gamma[c]! : 1;
    const b = beta ? beta[c]! : 0;
    forChannel(outer, channels, inner, c, (j) => (out[j] = g * (x[j]! - mean) * invStd + b));
    a.mean[c] = mean;
    a.invStd[c] = invStd;
    const m = a.momentum;
    if (a.runningMean) a.runningMean[c] = (1 - m) * a.runningMean[c]! + m * mean;
    // PyTorch's running variance is unbiased (n − 1); n ≥ 2 was checked.
    if (a.runningVar) a.runningVar[c] = (1 - m) * a.runningVar[c]! + (m * squares) / (n - 1);
  }
}

export function batchNormInferenceReference(a: OnArrays<BatchNormInferenceArgs>): void {
  const { x, outer, channels, inner, runningMean, runningVar, gamma, beta, out } = a;
  for (let c = 0; c < channels; c++) {
    const mean = runningMean[c]!;
    const invStd = 1 / Math.sqrt(runningVar[c]! + a.eps);
    const g = gamma ? gamma[c]! : 1;
    const b = beta ? beta[c]! : 0;
    forChannel(outer, channels, inner, c, (j) => (out[j] = g * (x[j]! - mean) * invStd + b));
  }
}

export function batchNormBackwardReference(a: OnArrays<BatchNormBackwardArgs>): void {
  const { x, dout, outer, channels, inner, gamma, dx, dgamma, dbeta } = a;
  const n = outer * inner;
  for (let c = 0; c < channels; c++) {
    const mean = a.mean[c]!;
    const invStd = a.invStd[c]!;
    let sumDout = 0;
    let sumDoutXhat = 0;
    forChannel(outer, channels, inner, c, (j) => {
      sumDout += dout[j]!;
      sumDoutXhat += dout[j]! * (x[j]! - mean) * invStd;
    });
    if (dgamma) dgamma[c] = sumDoutXhat;
    if (dbeta) dbeta[c] = sumDout;
    if (dx) {
      const k = ((gamma ? gamma[c]! : 1) * invStd) / n;
      forChannel(outer, channels, inner, c, (j) => {
        const xhat = (x[j]! - mean) * invStd;
        dx[j] = k * (n * dout[j]! - sumDout - xhat * sumDoutXhat);
      });
    }
  }
}

export function layerNormReference(a: OnArrays<LayerNormArgs>): void {
  const { x, rows, cols, gamma, beta, out } = a;
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += x[base + j]!;
    const mean = cols > 0 ? sum / cols : 0;
    let squares = 0;
    for (let j = 0; j < cols; j++) squares += (x[base + j]! - mean) ** 2;
    const invStd = 1 / Math.sqrt((cols > 0 ? squares / cols : 0) + a.eps);
    for (let j = 0; j < cols; j++) {
      out[base + j] = (gamma ? gamma[j]! : 1) * (x[base + j]! - mean) * invStd + (beta ? beta[j]! : 0);
    }
    a.mean[r] = mean;
    a.invStd[r] = invStd;
  }
}

export function layerNormBackwardReference(a: OnArrays<LayerNormBackwardArgs>): void {
  const { x, dout, rows, cols, gamma, dx, dgamma, dbeta } = a;
  const dgammaSums = new Float64Array(cols);
  const dbetaSums = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    const mean = a.mean[r]!;
    const invStd = a.invStd[r]!;
    let sumG = 0;
    let sumGXhat = 0;
    for (let j = 0; j < cols; j++) {
      const xhat = (x[base + j]! - mean) * invStd;
      const g = (gamma ? gamma[j]! : 1) * dout[base + j]!;
      sumG += g;
      sumGXhat += g * xhat;
      dgammaSums[j]! += dout[base + j]! * xhat;
      dbetaSums[j]! += dout[base + j]!;
    }
    if (dx) {
      for (let j = 0; j < cols; j++) {
        const xhat = (x[base + j]! - mean) * invStd;
        const g = (gamma ? gamma[j]! : 1) * dout[base + j]!;
        dx[base + j] = invStd * (g - sumG / cols - (xhat * sumGXhat) / cols);
      }
    }
  }
  if (dgamma) dgamma.set(dgammaSums);
  if (dbeta) dbeta.set(dbetaSums);
}

export function sgdStepReference(a: OnArrays<SgdStepArgs>): void {
  const { param, grad, momentumBuffer: buf, lr, momentum, dampening, nesterov, weightDecay, firstStep } = a;
  for (let i = 0; i < param.length; i++) {
    let d = grad[i]! + weightDecay * param[i]!;
    if (momentum !== 0 && buf) {
      const b = firstStep ? d : momentum * buf[i]! + (1 - dampening) * d;
      buf[i] = b;
      d = nesterov ? d + momentum * b : b;
    }
    param[i] = param[i]! - lr * d;
  }
}

export function adamStepReference(a: OnArrays<AdamStepArgs>): void {
  const { param, grad, expAvg, expAvgSq, lr, beta1, beta2, eps, weightDecay, step } = a;
  // torch 1.13's _single_tensor_adam, operation for operation.
  const stepSize = lr / (1 - beta1 ** step);
  const bias2Sqrt = Math.sqrt(1 - beta2 ** step);
  for (let i = 0; i < param.length; i++) {
    const g = grad[i]! + weightDecay * param[i]!;
    const m = beta1 * expAvg[i]! + (1 - beta1) * g;
    const v = beta2 * expAvgSq[i]! + (1 - beta2) * g * g;
    expAvg[i] = m;
    expAvgSq[i] = v;
    param[i] = param[i]! - (stepSize * m) / (Math.sqrt(v) / bias2Sqrt + eps);
  }
}
