/**
 * Normalisation with autograd: batchNorm (per-channel statistics of an [N, C, ...] input; batch
 * statistics in training, running ones in eval) and layerNorm (over the last dimension). Both
 * run fused kernels forward and backward; the running statistics are updated in place.
 */

import { record } from '../autograd/record.js';
import { ArgumentError, ShapeError } from '../errors.js';
import { getKernel } from '../kernels/registry.js';
import { formatShape, sizeOf } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { binaryRaw, unaryRaw } from './elementwise.js';
import { checkSameBackendAndDType } from './operands.js';
import { fullLike, outputLike } from './raw.js';
import { reduceSumRaw } from './sum-to.js';

export interface BatchNormOptions {
  runningMean?: Tensor;
  runningVar?: Tensor;
  weight?: Tensor;
  bias?: Tensor;
  /** Batch statistics (and running-statistics update) when true; running statistics when false. */
  training: boolean;
  /** Weight of the new batch statistic in the running average. Default 0.1. */
  momentum?: number;
  /** Added to the variance. Default 1e-5. */
  eps?: number;
}

const present = (ts: readonly (Tensor | undefined)[]): Tensor[] => ts.filter((t): t is Tensor => t !== undefined);

function checkChannelVector(op: string, name: string, t: Tensor | undefined, channels: number): void {
  if (t && (t.rank !== 1 || t.shape[0] !== channels)) {
    throw new ShapeError(`${op}: ${name} of shape ${formatShape(t.shape)} should be [${channels}]`);
  }
}

/**
 * The gradient buffers a normalisation backward fills — dx, dγ, dβ, each only where needed —
 * as kernel arguments, and the gradients in the order of the recorded inputs [x, weight?, bias?].
 */
function affineBackwardOutputs(input: Tensor, weight: Tensor | undefined, bias: Tensor | undefined, needs: readonly boolean[]) {
  const inputs = present([input, weight, bias]);
  const dx = needs[0] ? outputLike(input) : undefined;
  const dgamma = weight && needs[inputs.indexOf(weight)] ? outputLike(weight) : undefined;
  const dbeta = bias && needs[inputs.indexOf(bias)] ? outputLike(bias) : undefined;
  const args = {
    ...(weight ? { gamma: weight.storage } : {}),
    ...(dx ? { dx: dx.storage } : {}),
    ...(dgamma ? { dgamma: dgamma.storage } : {}),
    ...(dbeta ? { dbeta: dbeta.storage } : {}),
  };
  const grads: (Tensor | undefined)[] = [dx];
  if (weight) grads.push(dgamma);
  if (bias) grads.push(dbeta);
  return { args, grads };
}

/** Batch normalisation of x [N, C] or [N, C, ...] per channel C (F.batch_norm). */
export function batchNorm(x: Tensor, options: BatchNormOptions): Tensor {
  const op = 'batchNorm';
  if (x.rank < 2) throw new ShapeError(`${op}: expects [batch, channels, ...], got shape ${formatShape(x.shape)}`);
  const { runningMean, runningVar, weight, bias, training } = options;
  const eps = options.eps ?? 1e-5;
  const momentum = options.momentum ?? 0.1;
  const [outer, channels] = x.shape as [number, number];
  const inner = sizeOf(x.shape.slice(2));
  for (const [name, t] of [['runningMean', runningMean], ['runningVar', runningVar], ['weight', weight], ['bias', bias]] as const) {
    checkChannelVector(op, name, t, channels);
  }
  checkSameBackendAndDType(op, present([x, runningMean, runningVar, weight, bias]));
  const input = x.contiguous();
  const out = outputLike(input);
  const { backend } = x;
  const affine = { ...(weight ? { gamma: weight.storage } : {}), ...(bias ? { beta: bias.storage } : {}) };
  const inputs = present([x, weight, bias]);
  const slot = (t: Tensor | undefined) => (t ? inputs.indexOf(t) : -1);

  if (!training) {
    if (!runningMean || !runningVar) throw new ArgumentError(`${op}: eval mode needs runningMean and runningVar`);
    getKernel('batchNormInference', backend.name)(backend, {
      x: input.storage, outer, channels, inner, runningMean: runningMean.storage, runningVar: runningVar.storage, ...affine, eps, out: out.storage,
    });
    return record(out, op, inputs, (g, needs) => {
      // y = γ·(x − μ)/σ + β with fixed μ, σ: dx = g·γ/σ, dγ = Σ g·(x − μ)/σ, dβ = Σ g.
      const perChannel = [1, channels, ...x.shape.slice(2).map(() => 1)];
      const std = unaryRaw('sqrt', binaryRaw('add', runningVar, fullLike(runningVar, eps, [])));
      const scale = binaryRaw('div', weight ?? fullLike(runningVar, 1), std).reshape(perChannel);
      const axes = x.shape.map((_, i) => i !== 1);
      const grads: (Tensor | undefined)[] = inputs.map(() => undefined);
      if (needs[0]) grads[0] = binaryRaw('mul', g, scale);
      if (weight && needs[slot(weight)]) {
        const xhat = binaryRaw('div', binaryRaw('sub', input, runningMean.reshape(perChannel)), std.reshape(perChannel));
        grads[slot(weight)] = reduceSumRaw(binaryRaw('mul', g, xhat), axes, [channels]);
      }
      if (bias && needs[slot(bias)]) grads[slot(bias)] = reduceSumRaw(g, axes, [channels]);
      return grads;
    });
  }

  const mean = outputLike(x, [channels]);
  const invStd = outputLike(x, [channels]);
  getKernel('batchNormTrain', backend.name)(backend, {
    x: input.storage, outer, channels, inner, ...affine, eps, out: out.storage, mean: mean.storage, invStd: invStd.storage,
    ...(runningMean ? { runningMean: runningMean.storage } : {}),
    ...(runningVar ? { runningVar: runningVar.storage } : {}),
    momentum,
  });
  return record(out, op, inputs, (g, needs) => {
    const { args, grads } = affineBackwardOutputs(input, weight, bias, needs);
    getKernel('batchNormBackward', backend.name)(backend, {
      x: input.storage, dout: g.contiguous().storage, outer, channels, inner, mean: mean.storage, invStd: invStd.storage, ...args,
    });
    return grads;
  });
}

export interface LayerNormOptions {
  weight?: Tensor;
  bias?: Tensor;
  /** Added to the variance. Default 1e-5. */
  eps?: number;
}

/** Layer normalisation over the last dimension of x (size `features`), F.layer_norm. */
export function layerNorm(x: Tensor, features: number, options: LayerNormOptions = {}): Tensor {
  const op = 'layerNorm';
  const cols = x.shape[x.rank - 1];
  if (x.rank < 1 || cols !== features) {
    throw new ShapeError(`${op}: expects an input whose last dimension is ${features}, got shape ${formatShape(x.shape)}`);
  }
  const { weight, bias } = options;
  const eps = options.eps ?? 1e-5;
  checkChannelVector(op, 'weight', weight, features);
  checkChannelVector(op, 'bias', bias, features);
  checkSameBackendAndDType(op, present([x, weight, bias]));
  const rows = x.size / features;
  const input = x.contiguous();
  const out = outputLike(input);
  const mean = outputLike(x, [rows]);
  const invStd = outputLike(x, [rows]);
  const { backend } = x;
  getKernel('layerNorm', backend.name)(backend, {
    x: input.storage, rows, cols: features,
    ...(weight ? { gamma: weight.storage } : {}),
    ...(bias ? { beta: bias.storage } : {}),
    eps, out: out.storage, mean: mean.storage, invStd: invStd.storage,
  });
  const inputs = present([x, weight, bias]);
  return record(out, op, inputs, (g, needs) => {
    const { args, grads } = affineBackwardOutputs(input, weight, bias, needs);
    getKernel('layerNormBackward', backend.name)(backend, {
      x: input.storage, dout: g.contiguous().storage, rows, cols: features, mean: mean.storage, invStd: invStd.storage, ...args,
    });
    return grads;
  });
}
