/**
 * nn.Conv2d and nn.MaxPool2d on NCHW images. Conv2d has PyTorch's default initialisation:
 * weight and bias uniform in ±1/√fan_in, fan_in = inChannels·kH·kW (kaiming_uniform with a = √5
 * for the weight), weight drawn first.
 */

import { ArgumentError } from '../errors.js';
import { resolvePlacement, type PlacementOptions } from '../placement.js';
import { conv2d, maxPool2d, pair, type Pair } from '../ops/conv.js';
import type { Rng } from '../random.js';
import { Tensor } from '../tensor.js';
import { checkPair, optionsOf } from './arguments.js';
import { defaultRng, fanInUniform } from './init.js';
import { Module } from './module.js';

export interface Conv2dOptions extends PlacementOptions {
  stride?: Pair;
  padding?: Pair;
  /** Learn an additive bias per output channel (default true). */
  bias?: boolean;
  rng?: Rng;
}

export class Conv2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | undefined;
  readonly stride: Pair;
  readonly padding: Pair;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: Pair,
    options: Conv2dOptions = {},
  ) {
    super();
    for (const [name, v] of [['inChannels', inChannels], ['outChannels', outChannels]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new ArgumentError(`Conv2d: ${name} must be a positive integer, got ${v}`);
    }
    const [kh, kw] = pair('Conv2d', 'kernelSize', kernelSize, 1);
    options = optionsOf('Conv2d', options);
    this.stride = options.stride ?? 1;
    this.padding = options.padding ?? 0;
    checkPair('Conv2d', 'stride', this.stride, 1);
    checkPair('Conv2d', 'padding', this.padding, 0);
    const on = resolvePlacement(options);
    const rng = options.rng ?? defaultRng();
    const fanIn = inChannels * kh! * kw!;
    const weight = fanInUniform(outChannels * fanIn, fanIn, rng, on.dtype);
    this.weight = this.registerParameter('weight', Tensor.from(weight, [outChannels, inChannels, kh!, kw!], on));
    this.bias = options.bias === false ? undefined : this.registerParameter('bias', Tensor.from(fanInUniform(outChannels, fanIn, rng, on.dtype), [outChannels], on));
  }

  forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding });
  }
}

export class MaxPool2d extends Module {
  constructor(
    readonly kernelSize: Pair,
    readonly options: { stride?: Pair; padding?: Pair } = {},
  ) {
    super();
    this.options = optionsOf('MaxPool2d', options);
    checkPair('MaxPool2d', 'kernelSize', kernelSize, 1);
    if (this.options.stride !== undefined) checkPair('MaxPool2d', 'stride', this.options.stride, 1);
    if (this.options.padding !== undefined) checkPair('MaxPool2d', 'padding', this.options.padding, 0);
  }

  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, this.options);
  }
}
