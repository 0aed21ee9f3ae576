/**
 * nn.AvgPool2d and nn.AdaptiveAvgPool2d on NCHW images, as torch.nn's (nn/modules/pooling.py):
 * no parameters. (nn.MaxPool2d lives beside Conv2d in conv.ts.)
 */

import { ArgumentError } from '../errors.js';
import { adaptiveAvgPool2d, adaptiveSize, avgPool2d, type AvgPool2dOptions } from '../ops/pooling.js';
import type { Pair } from '../ops/conv.js';
import type { Tensor } from '../tensor.js';
import { checkPair, describeValue, optionsOf } from './arguments.js';
import { Module } from './module.js';

/**
 * The mean over kernel×kernel windows; stride defaults to the kernel, padding to 0,
 * countIncludePad to true (PyTorch's defaults).
 *
 * @example
 * new nn.AvgPool2d(2, { stride: 2 }).forward(x) // [N, C, 8, 8] → [N, C, 4, 4]
 */
export class AvgPool2d extends Module {
  constructor(
    readonly kernelSize: Pair,
    readonly options: AvgPool2dOptions = {},
  ) {
    super();
    this.options = optionsOf('AvgPool2d', options);
    checkPair('AvgPool2d', 'kernelSize', kernelSize, 1);
    if (this.options.stride !== undefined) checkPair('AvgPool2d', 'stride', this.options.stride, 1);
    if (this.options.padding !== undefined) checkPair('AvgPool2d', 'padding', this.options.padding, 0);
    const { countIncludePad } = this.options;
    if (countIncludePad !== undefined && typeof countIncludePad !== 'boolean') {
      throw new ArgumentError(`AvgPool2d: countIncludePad must be true or false, got ${describeValue(countIncludePad)}`);
    }
  }

  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, this.options);
  }
}

/**
 * The mean over PyTorch's adaptive bins to a fixed [outH, outW] whatever the input's size.
 *
 * @example
 * new nn.AdaptiveAvgPool2d([1, 1]).forward(x) // [N, C, H, W] → [N, C, 1, 1]
 */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: number | readonly [number | null, number | null]) {
    super();
    for (const side of adaptiveSize('AdaptiveAvgPool2d', outputSize)) {
      if (side !== null && (!Number.isInteger(side) || side < 1)) {
        throw new ArgumentError(`AdaptiveAvgPool2d: outputSize must be integers ≥ 1 (or null), got ${describeValue(side)}`);
      }
    }
  }

  forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }
}
