/**
 * nn.Linear: y = x·Wᵀ + b, W [out, in], b [out], PyTorch's default initialisation: W and b
 * uniform in ±1/√in (kaiming_uniform(a=√5) for W), W drawn first, then b.
 */

import { ArgumentError } from '../errors.js';
import { resolvePlacement, type PlacementOptions } from '../placement.js';
import { linear } from '../ops/linear.js';
import type { Rng } from '../random.js';
import { Tensor } from '../tensor.js';
import { defaultRng, fanInUniform } from './init.js';
import { optionsOf } from './arguments.js';
import { Module } from './module.js';

export interface LinearOptions extends PlacementOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
  /** Generator for the initial values; default the global one (see manualSeed). */
  rng?: Rng;
}

export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly weight: Tensor;
  readonly bias: Tensor | undefined;

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    for (const [name, v] of [['inFeatures', inFeatures], ['outFeatures', outFeatures]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new ArgumentError(`Linear: ${name} must be a positive integer, got ${v}`);
    }
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    options = optionsOf('Linear', options);
    const on = resolvePlacement(options);
    const rng = options.rng ?? defaultRng();
    const weight = fanInUniform(outFeatures * inFeatures, inFeatures, rng, on.dtype);
    this.weight = this.registerParameter('weight', Tensor.from(weight, [outFeatures, inFeatures], on));
    this.bias = options.bias === false ? undefined : this.registerParameter('bias', Tensor.from(fanInUniform(outFeatures, inFeatures, rng, on.dtype), [outFeatures], on));
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }
}
