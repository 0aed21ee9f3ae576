/**
 * The course's MLP with hand-written backprop: Linear → ELU → … → Linear → SoftMax, hidden
 * sizes given as a list, trained with plain SGD on the modules' `grads`.
 *
 * @example
 * const mlp = new MLP(3072, [100], 10, { backend: 'native', seed: 42 });
 * const probs = mlp.forward(x);                 // x: Tensor [B, 3072]
 * const loss = ce.forward(probs, y);            // y: one-hot Tensor [B, 10]
 * mlp.backward(ce.backward(probs, y));
 * mlp.sgdStep(1e-3);
 */

import type { Backend } from '../backends/backend.js';
import type { DType } from '../dtype.js';
import { ArgumentError, ShapeError } from '../errors.js';
import type { TensorValues } from '../optim/optimizer.js';
import { formatShape } from '../shape.js';
import { getKernel } from '../kernels/registry.js';
import { Rng } from '../random.js';
import type { Tensor } from '../tensor.js';
import { ELUModule } from './elu.js';
import { LinearModule } from './linear.js';
import { resolveManualOptions, type ManualOptions } from './options.js';
import { SoftMaxModule } from './softmax.js';

export interface MLPOptions extends ManualOptions {
  /** Seed of the weight initialisation (ignored when `rng` is given). Default 0. */
  seed?: number;
  rng?: Rng;
}

export type ManualLayer = LinearModule | ELUModule | SoftMaxModule;

export class MLP {
  readonly layers: readonly ManualLayer[];
  /** Features of one input row. */
  readonly inputs: number;
  readonly backend: Backend;
  readonly dtype: DType;

  constructor(nInputs: number, nHidden: readonly number[], nClasses: number, options: MLPOptions = {}) {
    const { backend, dtype } = resolveManualOptions(options);
    if (!Array.isArray(nHidden)) throw new ArgumentError('MLP: nHidden must be a list of layer sizes');
    this.backend = backend;
    this.dtype = dtype;
    this.inputs = nInputs;
    const rng = options.rng ?? new Rng(options.seed ?? 0);
    const on = { backend, dtype, rng };
    const layers: ManualLayer[] = [];
    let width = nInputs;
    for (const hidden of nHidden) {
      layers.push(new LinearModule(width, hidden, on), new ELUModule(on));
      width = hidden;
    }
    layers.push(new LinearModule(width, nClasses, on), new SoftMaxModule(on));
    this.layers = layers;
  }

  /** x [B, nInputs] → class probabilities [B, nClasses] (reused by the next call). */
  forward(x: Tensor): Tensor {
    let out = x;
    for (const layer of this.layers) out = layer.forward(out);
    return out;
  }

  /**
   * Backpropagates dL/dprobs through every layer, filling each LinearModule's `grads`. The
   * first layer computes no gradient for the input images: nobody uses it.
   */
  backward(dout: Tensor): void {
    let grad = dout;
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const layer = this.layers[i]!;
      if (i === 0 && layer instanceof LinearModule) layer.backwardParams(grad);
      else grad = layer.backward(grad);
    }
  }

  /** Every weight and bias with its gradient, named as PyTorch names a Sequential's. */
  parameters(): Array<{ name: string; param: Tensor; grad: Tensor }> {
    const out: Array<{ name: string; param: Tensor; grad: Tensor }> = [];
    this.layers.forEach((layer, i) => {
      if (!(layer instanceof LinearModule)) return;
      out.push({ name: `layers.${i}.weight`, param: layer.params.weight, grad: layer.grads.weight });
      out.push({ name: `layers.${i}.bias`, param: layer.params.bias, grad: layer.grads.bias });
    });
    return out;
  }

  /** Parameters by name (`layers.0.weight`, `layers.0.bias`, …) for checkpoints. */
  stateDict(): Record<string, Tensor> {
    return Object.fromEntries(this.parameters().map(({ name, param }) => [name, param]));
  }

  /**
   * Copies weights saved by {@link stateDict} (Tensors, or shapes and values read from a file)
   * into the parameters, which stay the same objects.
   * @throws ArgumentError for missing or unexpected names, ShapeError for a wrong shape; the
   *   parameters are left as they were
   */
  loadStateDict(state: Record<string, TensorValues>): void {
    const own = this.stateDict();
    const missing = Object.keys(own).filter((k) => !Object.hasOwn(state, k));
    const unexpected = Object.keys(state).filter((k) => !Object.hasOwn(own, k));
    if (missing.length > 0 || unexpected.length > 0) {
      const parts = [...(missing.length > 0 ? [`missing ${missing.join(', ')}`] : []), ...(unexpected.length > 0 ? [`unexpected ${unexpected.join(', ')}`] : [])];
      throw new ArgumentError(`MLP.loadStateDict: the state dict does not fit the model: ${parts.join('; ')}`);
    }
    const copies: Array<[Tensor, ArrayLike<number>]> = [];
    for (const [name, target] of Object.entries(own)) {
      const source = state[name]!;
      const values = 'toArray' in source ? source.toArray() : source.data;
      if (source.shape.length !== target.shape.length || source.shape.some((d, i) => d !== target.shape[i]) || values.length !== target.size) {
        throw new ShapeError(`MLP.loadStateDict: ${name} has shape ${formatShape(source.shape)} in the state dict but ${formatShape(target.shape)} in the model`);
      }
      copies.push([target, values]);
    }
    for (const [target, values] of copies) target.backend.write(target.storage, values);
  }

  /** Plain SGD: p −= lr·∂L/∂p for every parameter. */
  sgdStep(lr: number): void {
    if (!(lr > 0) || !Number.isFinite(lr)) throw new ArgumentError(`sgd: learning rate must be a positive number, got ${lr}`);
    const update = getKernel('sgdUpdate', this.backend.name);
    for (const { param, grad } of this.parameters()) update(this.backend, { param: param.storage, grad: grad.storage, lr });
  }
}
