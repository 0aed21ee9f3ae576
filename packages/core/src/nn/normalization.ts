/**
 * Normalisation layers: BatchNorm1d (batch statistics while training, running mean/var with
 * momentum 0.1 and the unbiased batch variance in eval, eps 1e-5, as PyTorch) and LayerNorm
 * over the last dimension. Both have a learnable scale (1) and shift (0) unless told otherwise.
 */

import { ArgumentError, ShapeError } from '../errors.js';
import { resolveManualOptions, type ManualOptions } from '../manual/options.js';
import { batchNorm, layerNorm } from '../ops/normalization.js';
import { formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { Module } from './module.js';

export interface BatchNormOptions extends ManualOptions {
  eps?: number;
  momentum?: number;
  /** Learnable weight and bias (default true). */
  affine?: boolean;
  /** Keep running statistics for eval mode (default true). */
  trackRunningStats?: boolean;
}

function positiveInteger(layer: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new ArgumentError(`${layer}: ${name} must be a positive integer, got ${v}`);
}

export class BatchNorm1d extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number;
  readonly weight: Tensor | undefined;
  readonly bias: Tensor | undefined;
  readonly runningMean: Tensor | undefined;
  readonly runningVar: Tensor | undefined;
  /** Training batches seen (PyTorch's num_batches_tracked buffer). */
  readonly numBatchesTracked: Tensor | undefined;

  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super();
    positiveInteger('BatchNorm1d', 'numFeatures', numFeatures);
    this.numFeatures = numFeatures;
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum ?? 0.1;
    const on = resolveManualOptions(options);
    const filled = (value: number) => {
      const t = Tensor.zeros([numFeatures], on);
      if (value !== 0) t.backend.view(t.storage).fill(value);
      return t;
    };
    if (options.affine ?? true) {
      this.weight = this.registerParameter('weight', filled(1));
      this.bias = this.registerParameter('bias', filled(0));
    }
    if (options.trackRunningStats ?? true) {
      this.runningMean = this.registerBuffer('running_mean', filled(0));
      this.runningVar = this.registerBuffer('running_var', filled(1));
      this.numBatchesTracked = this.registerBuffer('num_batches_tracked', Tensor.zeros([], on));
    }
  }

  forward(x: Tensor): Tensor {
    if ((x.rank !== 2 && x.rank !== 3) || x.shape[1] !== this.numFeatures) {
      throw new ShapeError(`BatchNorm1d: input of shape ${formatShape(x.shape)} should be [batch, ${this.numFeatures}] or [batch, ${this.numFeatures}, length]`);
    }
    const useBatchStats = this.training || !this.runningMean;
    if (this.training && this.numBatchesTracked) {
      const view = this.numBatchesTracked.backend.view(this.numBatchesTracked.storage);
      view[0] = view[0]! + 1;
    }
    return batchNorm(x, {
      training: useBatchStats,
      momentum: this.momentum,
      eps: this.eps,
      ...(this.weight ? { weight: this.weight } : {}),
      ...(this.bias ? { bias: this.bias } : {}),
      // Running statistics are updated in training only; eval reads them.
      ...(this.runningMean && this.runningVar ? { runningMean: this.runningMean, runningVar: this.runningVar } : {}),
    });
  }
}

export interface LayerNormOptions extends ManualOptions {
  eps?: number;
  /** Learnable weight and bias (default true). */
  elementwiseAffine?: boolean;
}

export class LayerNorm extends Module {
  readonly normalizedShape: number;
  readonly eps: number;
  readonly weight: Tensor | undefined;
  readonly bias: Tensor | undefined;

  /** Normalises over the last dimension, of size `normalizedShape`. */
  constructor(normalizedShape: number, options: LayerNormOptions = {}) {
    super();
    positiveInteger('LayerNorm', 'normalizedShape', normalizedShape);
    this.normalizedShape = normalizedShape;
    this.eps = options.eps ?? 1e-5;
    const on = resolveManualOptions(options);
    if (options.elementwiseAffine ?? true) {
      const ones = Tensor.zeros([normalizedShape], on);
      ones.backend.view(ones.storage).fill(1);
      this.weight = this.registerParameter('weight', ones);
      this.bias = this.registerParameter('bias', Tensor.zeros([normalizedShape], on));
    }
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, {
      eps: this.eps,
      ...(this.weight ? { weight: this.weight } : {}),
      ...(this.bias ? { bias: this.bias } : {}),
    });
  }
}
