/**
 * Registers the js backend's BatchNorm, LayerNorm, SGD and Adam kernels: each checks its
 * arguments in the order and words of dlp-kernels (`batch_norm.rs`, `layer_norm.rs`,
 * `optim_steps.rs`), then runs the float64
 * loops of norm-optim.ts.
 */

import type { TypedArray } from '../../dtype.js';
import { ArgumentError } from '../../errors.js';
import { checkAllSeparate, checkMatrix, checkSameLength, checkSizes, checkTensor, checkVector } from '../../kernels/lengths.js';
import type { BatchNormBackwardArgs, BatchNormInferenceArgs, BatchNormTrainArgs, LayerNormArgs, LayerNormBackwardArgs } from '../../kernels/norm.js';
import type { AdamStepArgs, SgdStepArgs } from '../../kernels/optim.js';
import { registerKernel } from '../../kernels/registry.js';
import type { Storage } from '../backend.js';
import type { JsStorage } from './js-backend.js';
import {
  adamStepReference,
  batchNormBackwardReference,
  batchNormInferenceReference,
  batchNormTrainReference,
  layerNormBackwardReference,
  layerNormReference,
  sgdStepReference,
  type OnArrays,
} from './norm-optim.js';

/** The args with every storage swapped for its typed array (numbers and flags kept). */
export function onArrays<A extends object>(args: A): OnArrays<A> {
  const entries = Object.entries(args).map(([k, v]) => [k, isStorage(v) ? (v as JsStorage).array : v]);
  return Object.fromEntries(entries) as OnArrays<A>;
}

function isStorage(value: unknown): value is JsStorage {
  return typeof value === 'object' && value !== null && 'array' in value;
}

const arr = (s: Storage | undefined): TypedArray | undefined => s && (s as JsStorage).array;

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

function checkSgdStep(a: SgdStepArgs): void {
  const k = 'sgdStep';
  checkSameLength(k, 'grad', a.grad.length, 'param', a.param.length);
  if (a.momentumBuffer) checkSameLength(k, 'momentumBuffer', a.momentumBuffer.length, 'param', a.param.length);
  if (a.momentum !== 0 && !a.momentumBuffer) {
    throw new ArgumentError(`${k}: momentumBuffer is required when momentum is not 0`);
  }
  checkAllSeparate(k, [['param', arr(a.param)], ['momentumBuffer', arr(a.momentumBuffer)]], [['grad', arr(a.grad)]]);
}

function checkAdamStep(a: AdamStepArgs): void {
  const k = 'adamStep';
  checkSameLength(k, 'grad', a.grad.length, 'param', a.param.length);
  checkSameLength(k, 'expAvg', a.expAvg.length, 'param', a.param.length);
  checkSameLength(k, 'expAvgSq', a.expAvgSq.length, 'param', a.param.length);
  if (!Number.isInteger(a.step) || a.step < 1) {
    throw new ArgumentError(`${k}: step should be an integer >= 1 (steps count from 1) but is ${a.step}`);
  }
  checkAllSeparate(k, [['param', arr(a.param)], ['expAvg', arr(a.expAvg)], ['expAvgSq', arr(a.expAvgSq)]], [['grad', arr(a.grad)]]);
}

let registered = false;

export function registerJsNormOptimKernels(): void {
  if (registered) return;
  registered = true;

  registerKernel('batchNormTrain', 'js', (_backend, args) => {
    checkBatchNormTrain(args);
    batchNormTrainReference(onArrays(args));
  });
  registerKernel('batchNormInference', 'js', (_backend, args) => {
    checkBatchNormInference(args);
    batchNormInferenceReference(onArrays(args));
  });
  registerKernel('batchNormBackward', 'js', (_backend, args) => {
    checkBatchNormBackward(args);
    batchNormBackwardReference(onArrays(args));
  });
  registerKernel('layerNorm', 'js', (_backend, args) => {
    checkLayerNorm(args);
    layerNormReference(onArrays(args));
  });
  registerKernel('layerNormBackward', 'js', (_backend, args) => {
    checkLayerNormBackward(args);
    layerNormBackwardReference(onArrays(args));
  });
  registerKernel('sgdStep', 'js', (_backend, args) => {
    checkSgdStep(args);
    sgdStepReference(onArrays(args));
  });
  registerKernel('adamStep', 'js', (_backend, args) => {
    checkAdamStep(args);
    adamStepReference(onArrays(args));
  });
}
