/**
 * Normalisation kernels on the js backend (kernels/norm.ts): BatchNorm and LayerNorm in float64
 * loops, with their argument checks in the order and words of `batch_norm.rs` and `layer_norm.rs`.
 */

import { ArgumentError } from '../../errors.js';
import { checkAllSeparate, checkMatrix, checkSizes, checkTensor, checkVector } from '../../kernels/lengths.js';
import type { BatchNormBackwardArgs, BatchNormInferenceArgs, BatchNormTrainArgs, LayerNormArgs, LayerNormBackwardArgs } from '../../kernels/norm.js';
import type { Storage } from '../backend.js';
import { arr, registerOnArrays, type OnArrays } from './storage.js';

// Every sum and intermediate in float64 (rounded once when stored): the oracle the fast backends
// and the gradient checks use. Formulas and shapes: kernels/norm.ts.

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

/** A per-channel (or per-row, per-column) vector, checked when given. */
function optionalVector(kernel: string, name: string, want: number, per: 'rows' | 'cols' | 'channels', s?: Storage): void {
  if (s) checkVector(kernel, name, want, per, s.length);
}

function checkBatchNormTrain(a: BatchNormTrainArgs): void {
  const k = 'batchNormTrain';
  checkSizes(k, { outer: a.outer, channels: a.channels, inner: a.inner });
  const dims = [a.outer, a.channels, a.inner];
  checkTensor(k, 'x', dims, a.x.length);
  optionalVector(k, 'gamma', a.channels, 'channels', a.gamma);
  optionalVector(k, 'beta', a.channels, 'channels', a.beta);
  checkTensor(k, 'out', dims, a.out.length);
  checkVector(k, 'mean', a.channels, 'channels', a.mean.length);
  checkVector(k, 'invStd', a.channels, 'channels', a.invStd.length);
  optionalVector(k, 'runningMean', a.channels, 'channels', a.runningMean);
  optionalVector(k, 'runningVar', a.channels, 'channels', a.runningVar);
  if (a.runningVar && a.outer * a.inner < 2) {
    // The unbiased variance divides by n − 1 (PyTorch refuses one value per channel too).
    const n = a.outer * a.inner;
    throw new ArgumentError(`${k}: runningVar needs at least 2 values per channel (outer·inner) but there are ${n}`);
  }
  checkAllSeparate(
    k,
    [['out', arr(a.out)], ['mean', arr(a.mean)], ['invStd', arr(a.invStd)], ['runningMean', arr(a.runningMean)], ['runningVar', arr(a.runningVar)]],
    [['x', arr(a.x)], ['gamma', arr(a.gamma)], ['beta', arr(a.beta)]],
  );
}

function checkBatchNormInference(a: BatchNormInferenceArgs): void {
  const k = 'batchNormInference';
  checkSizes(k, { outer: a.outer, channels: a.channels, inner: a.inner });
  const dims = [a.outer, a.channels, a.inner];
  checkTensor(k, 'x', dims, a.x.length);
  checkVector(k, 'runningMean', a.channels, 'channels', a.runningMean.length);
  checkVector(k, 'runningVar', a.channels, 'channels', a.runningVar.length);
  optionalVector(k, 'gamma', a.channels, 'channels', a.gamma);
  optionalVector(k, 'beta', a.channels, 'channels', a.beta);
  checkTensor(k, 'out', dims, a.out.length);
  checkAllSeparate(
    k,
    [['out', arr(a.out)]],
    [['x', arr(a.x)], ['runningMean', arr(a.runningMean)], ['runningVar', arr(a.runningVar)], ['gamma', arr(a.gamma)], ['beta', arr(a.beta)]],
  );
}

function checkBatchNormBackward(a: BatchNormBackwardArgs): void {
  const k = 'batchNormBackward';
  checkSizes(k, { outer: a.outer, channels: a.channels, inner: a.inner });
  const dims = [a.outer, a.channels, a.inner];
  checkTensor(k, 'x', dims, a.x.length);
  checkTensor(k, 'dout', dims, a.dout.length);
  checkVector(k, 'mean', a.channels, 'channels', a.mean.length);
  checkVector(k, 'invStd', a.channels, 'channels', a.invStd.length);
  optionalVector(k, 'gamma', a.channels, 'channels', a.gamma);
  if (a.dx) checkTensor(k, 'dx', dims, a.dx.length);
  optionalVector(k, 'dgamma', a.channels, 'channels', a.dgamma);
  optionalVector(k, 'dbeta', a.channels, 'channels', a.dbeta);
  checkAllSeparate(
    k,
    [['dx', arr(a.dx)], ['dgamma', arr(a.dgamma)], ['dbeta', arr(a.dbeta)]],
    [['x', arr(a.x)], ['dout', arr(a.dout)], ['mean', arr(a.mean)], ['invStd', arr(a.invStd)], ['gamma', arr(a.gamma)]],
  );
}

function checkLayerNorm(a: LayerNormArgs): void {
  const k = 'layerNorm';
  checkSizes(k, { rows: a.rows, cols: a.cols });
  checkMatrix(k, 'x', a.rows, a.cols, a.x.length);
  optionalVector(k, 'gamma', a.cols, 'cols', a.gamma);
  optionalVector(k, 'beta', a.cols, 'cols', a.beta);
  checkMatrix(k, 'out', a.rows, a.cols, a.out.length);
  checkVector(k, 'mean', a.rows, 'rows', a.mean.length);
  checkVector(k, 'invStd', a.rows, 'rows', a.invStd.length);
  checkAllSeparate(
    k,
    [['out', arr(a.out)], ['mean', arr(a.mean)], ['invStd', arr(a.invStd)]],
    [['x', arr(a.x)], ['gamma', arr(a.gamma)], ['beta', arr(a.beta)]],
  );
}

function checkLayerNormBackward(a: LayerNormBackwardArgs): void {
  const k = 'layerNormBackward';
  checkSizes(k, { rows: a.rows, cols: a.cols });
  checkMatrix(k, 'x', a.rows, a.cols, a.x.length);
  checkMatrix(k, 'dout', a.rows, a.cols, a.dout.length);
  checkVector(k, 'mean', a.rows, 'rows', a.mean.length);
  checkVector(k, 'invStd', a.rows, 'rows', a.invStd.length);
  optionalVector(k, 'gamma', a.cols, 'cols', a.gamma);
  if (a.dx) checkMatrix(k, 'dx', a.rows, a.cols, a.dx.length);
  optionalVector(k, 'dgamma', a.cols, 'cols', a.dgamma);
  optionalVector(k, 'dbeta', a.cols, 'cols', a.dbeta);
  checkAllSeparate(
    k,
    [['dx', arr(a.dx)], ['dgamma', arr(a.dgamma)], ['dbeta', arr(a.dbeta)]],
    [['x', arr(a.x)], ['dout', arr(a.dout)], ['mean', arr(a.mean)], ['invStd', arr(a.invStd)], ['gamma', arr(a.gamma)]],
  );
}

export function registerJsNormKernels(): void {
  registerOnArrays('batchNormTrain', checkBatchNormTrain, batchNormTrainReference);
  registerOnArrays('batchNormInference', checkBatchNormInference, batchNormInferenceReference);
  registerOnArrays('batchNormBackward', checkBatchNormBackward, batchNormBackwardReference);
  registerOnArrays('layerNorm', checkLayerNorm, layerNormReference);
  registerOnArrays('layerNormBackward', checkLayerNormBackward, layerNormBackwardReference);
}
