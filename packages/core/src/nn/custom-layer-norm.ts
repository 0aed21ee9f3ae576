/**
 * The practical's three forms of LayerNorm over the M features of an S×M input (DESIGN.md,
 * experiment 3), ε = 1e-5, biased variance:
 *
 * - CustomLayerNormAutograd: composed of autograd ops (mean, variance, arithmetic); autograd
 *   derives the backward.
 * - CustomLayerNormManualFunction: an autograd function with the backward written by hand (see
 *   docs/layernorm-backward.md for the derivation, line by line); saves only x̂, 1/σ and γ.
 * - CustomLayerNormManualModule: γ and β as parameters, calling that function.
 *
 * nn.LayerNorm computes the same on the fused Rust kernels; these exist to be read and checked.
 */

import { defineFunction } from '../autograd/function.js';
import { ArgumentError, ShapeError } from '../errors.js';
import { resolvePlacement, type PlacementOptions } from '../placement.js';
import { add, div, mul, sqrt, sub } from '../ops/elementwise.js';
import { mean, sum, variance } from '../ops/reduce.js';
import { formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { optionsOf, positiveNumber } from './arguments.js';
import { Module } from './module.js';

export const LAYER_NORM_EPS = 1e-5;

/** Throws unless x is S×M with M = features. */
function checkInput(layer: string, x: Tensor, features: number): void {
  if (x.rank !== 2 || x.shape[1] !== features) {
    throw new ShapeError(`${layer}: input of shape ${formatShape(x.shape)} should be [S, ${features}] (S rows of ${features} features)`);
  }
}

/** γ (ones) and β (zeros) over `features`, shared by the two custom modules. */
abstract class CustomLayerNormParameters extends Module {
  readonly gamma: Tensor;
  readonly beta: Tensor;
  readonly eps: number;

  constructor(
    readonly features: number,
    options: PlacementOptions & { eps?: number } = {},
  ) {
    super();
    if (!Number.isInteger(features) || features < 1) {
      throw new ArgumentError(`${new.target.name}: features must be a positive integer, got ${String(features)}`);
    }
    options = optionsOf(new.target.name, options);
    const on = resolvePlacement(options);
    const gamma = Tensor.zeros([features], on);
    gamma.backend.fill(gamma.storage, 1);
    this.gamma = this.registerParameter('gamma', gamma);
    this.beta = this.registerParameter('beta', Tensor.zeros([features], on));
    this.eps = positiveNumber(new.target.name, 'eps', options.eps ?? LAYER_NORM_EPS);
  }
}

/** LayerNorm composed of autograd ops: (x − μ)/√(σ² + ε)·γ + β per row. */
export class CustomLayerNormAutograd extends CustomLayerNormParameters {
  forward(x: Tensor): Tensor {
    checkInput('CustomLayerNormAutograd', x, this.features);
    const mu = mean(x, 1, { keepdim: true });
    const sigma2 = variance(x, 1, { unbiased: false, keepdim: true });
    const xhat = div(sub(x, mu), sqrt(add(sigma2, this.eps)));
    return add(mul(xhat, this.gamma), this.beta);
  }
}

/**
 * apply(x [S, M], gamma [M], beta [M], eps?) with a hand-written backward. Per row, with
 * g = γ∘dL/dy: dL/dx = (1/σ)·(g − mean_j g − x̂·mean_j(g∘x̂)), dL/dγ = Σ_s dL/dy∘x̂,
 * dL/dβ = Σ_s dL/dy. Gradients nobody needs are neither computed nor returned.
 */
export const CustomLayerNormManualFunction = defineFunction({
  name: 'CustomLayerNormManualFunction',
  forward(ctx, x: Tensor, gamma: Tensor, beta: Tensor, eps: number = LAYER_NORM_EPS): Tensor {
    checkInput('CustomLayerNormManualFunction', x, gamma.size);
    const mu = mean(x, 1, { keepdim: true });
    const invStd = div(1, sqrt(add(variance(x, 1, { unbiased: false, keepdim: true }), eps))); // 1/σ, [S, 1]
    const xhat = mul(sub(x, mu), invStd);
    ctx.saveForBackward(xhat, invStd, gamma); // all backward needs; x and μ are not kept
    return add(mul(xhat, gamma), beta);
  },
  backward(ctx, dy) {
    const [xhat, invStd, gamma] = ctx.savedTensors as [Tensor, Tensor, Tensor];
    const [needX, needGamma, needBeta] = ctx.needsInputGrad;
    let dx: Tensor | undefined;
    if (needX) {
      const g = mul(dy, gamma); // g = γ ∘ dL/dy
      const gMean = mean(g, 1, { keepdim: true }); // mean_j g
      const gxMean = mean(mul(g, xhat), 1, { keepdim: true }); // mean_j (g ∘ x̂)
      dx = mul(sub(sub(g, gMean), mul(xhat, gxMean)), invStd); // (1/σ)(g − mean g − x̂·mean(g x̂))
    }
    const dgamma = needGamma ? sum(mul(dy, xhat), 0) : undefined; // Σ_s dL/dy ∘ x̂
    const dbeta = needBeta ? sum(dy, 0) : undefined; // Σ_s dL/dy
    return [dx, dgamma, dbeta, undefined];
  },
});

/** γ and β as parameters around CustomLayerNormManualFunction. */
export class CustomLayerNormManualModule extends CustomLayerNormParameters {
  forward(x: Tensor): Tensor {
    checkInput('CustomLayerNormManualModule', x, this.features);
    return CustomLayerNormManualFunction.apply(x, this.gamma, this.beta, this.eps);
  }
}
