/**
 * Normalisation layers: BatchNorm1d/2d (batch statistics while training, running mean/var with
 * momentum 0.1 and the unbiased batch variance in eval, eps 1e-5, as PyTorch) and LayerNorm
 * over the last dimension. Both have a learnable scale (1) and shift (0) unless told otherwise.
 */

import { ArgumentError, ShapeError } from '../errors.js';
import { resolvePlacement, type PlacementOptions } from '../placement.js';
import { batchNorm, layerNorm } from '../ops/normalization.js';
import { formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { finiteNumber, optionsOf, positiveNumber } from './arguments.js';
import { Module } from './module.js';

export interface BatchNormOptions extends PlacementOptions {
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

/** BatchNorm over the channels (dimension 1) of its input; subclasses say which ranks they take. */
abstract class BatchNormBase extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number;
  readonly weight: Tensor | undefined;
  readonly bias: Tensor | undefined;
  readonly runningMean: Tensor | undefined;
  readonly runningVar: Tensor | undefined;
  /** Training batches seen (PyTorch's num_batches_tracked buffer). */
  readonly numBatchesTracked: Tensor | undefined;

  protected abstract readonly layerName: string;
  /** Input ranks accepted, and how the expected shape reads in messages. */
  protected abstract readonly ranks: readonly number[];
  protected abstract expectedShape(): string;

  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super();
    positiveInteger('BatchNorm', 'numFeatures', numFeatures);
    options = optionsOf('BatchNorm', options);
    this.numFeatures = numFeatures;
    this.eps = positiveNumber('BatchNorm', 'eps', options.eps ?? 1e-5);
    this.momentum = finiteNumber('BatchNorm', 'momentum', options.momentum ?? 0.1);
    const on = resolvePlacement(options);
    const filled = (value: number) => {
      const t = Tensor.zeros([numFeatures], on);
      if (value !== 0) t.backend.fill(t.storage, value);
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
    if (!this.ranks.includes(x.rank) || x.shape[1] !== this.numFeatures) {
      throw new ShapeError(`${this.layerName}: input of shape ${formatShape(x.shape)} should be ${this.expectedShape()}`);
    }
    const useBatchStats = this.training || !this.runningMean;
    if (this.training && this.numBatchesTracked) {
      const { backend, storage } = this.numBatchesTracked;
      backend.write(storage, [backend.read(storage, 0, 1)[0]! + 1]);
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

/** BatchNorm over the features of [N, C] (or [N, C, L]) inputs, as torch.nn.BatchNorm1d. */
export class BatchNorm1d extends BatchNormBase {
  protected readonly layerName = 'BatchNorm1d';
  protected readonly ranks = [2, 3];
  protected expectedShape(): string {
    return `[batch, ${this.numFeatures}] or [batch, ${this.numFeatures}, length]`;
  }
}

/** BatchNorm over the channels of NCHW images, statistics over batch and positions (torch.nn.BatchNorm2d). */
export class BatchNorm2d extends BatchNormBase {
  protected readonly layerName = 'BatchNorm2d';
  protected readonly ranks = [4];
  protected expectedShape(): string {
    return `[batch, ${this.numFeatures}, height, width]`;
  }
}

export interface LayerNormOptions extends PlacementOptions {
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
    options = optionsOf('LayerNorm', options);
    this.normalizedShape = normalizedShape;
    this.eps = positiveNumber('LayerNorm', 'eps', options.eps ?? 1e-5);
    const on = resolvePlacement(options);
    if (options.elementwiseAffine ?? true) {
      const ones = Tensor.zeros([normalizedShape], on);
      ones.backend.fill(ones.storage, 1);
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
