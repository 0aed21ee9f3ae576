/**
 * The practical's autograd MLP: for each Linear layer (hidden ones, then the classifier), an
 * optional norm layer on its input, the Linear, and an activation after every hidden one. Held
 * as `layers` (an nn.Sequential), so parameters are named like PyTorch's `layers.1.weight`.
 */

import { ArgumentError } from '../errors.js';
import type { PlacementOptions } from '../placement.js';
import { ELU, ReLU, Tanh } from '../nn/activation.js';
import { Sequential } from '../nn/container.js';
import { Linear } from '../nn/linear.js';
import { Module } from '../nn/module.js';
import { BatchNorm1d, LayerNorm } from '../nn/normalization.js';
import type { Rng } from '../random.js';
import type { Tensor } from '../tensor.js';

export type NormKind = 'none' | 'batchnorm' | 'layernorm';
export type ActivationKind = 'elu' | 'relu' | 'tanh';

export interface MlpClassifierConfig {
  inputs: number;
  hidden: readonly number[];
  classes: number;
  norm: NormKind;
  activation: ActivationKind;
}

function activationLayer(kind: ActivationKind): Module {
  switch (kind) {
    case 'elu':
      return new ELU();
    case 'relu':
      return new ReLU();
    case 'tanh':
      return new Tanh();
    default:
      throw new ArgumentError(`MlpClassifier: unknown activation '${String(kind)}' (elu, relu or tanh)`);
  }
}

function normLayer(kind: NormKind, features: number, on: PlacementOptions): Module | undefined {
  if (kind === 'batchnorm') return new BatchNorm1d(features, on);
  if (kind === 'layernorm') return new LayerNorm(features, on);
  if (kind === 'none') return undefined;
  throw new ArgumentError(`MlpClassifier: unknown norm '${String(kind)}' (none, batchnorm or layernorm)`);
}

export class MlpClassifier extends Module {
  readonly config: MlpClassifierConfig;
  readonly layers: Sequential;

  /** Linear layers draw their initial weights from `rng` in order (each weight, then its bias). */
  constructor(config: MlpClassifierConfig, options: PlacementOptions & { rng?: Rng } = {}) {
    super();
    this.config = config;
    const on: PlacementOptions = { ...(options.backend ? { backend: options.backend } : {}), ...(options.dtype ? { dtype: options.dtype } : {}) };
    const widths = [config.inputs, ...config.hidden, config.classes];
    const layers: Module[] = [];
    for (let i = 0; i + 1 < widths.length; i++) {
      const norm = normLayer(config.norm, widths[i]!, on);
      if (norm) layers.push(norm);
      layers.push(new Linear(widths[i]!, widths[i + 1]!, { ...on, ...(options.rng ? { rng: options.rng } : {}) }));
      if (i + 2 < widths.length) layers.push(activationLayer(config.activation));
    }
    this.layers = this.registerModule('layers', new Sequential(...layers));
  }

  /** x [B, inputs] → logits [B, classes]. */
  forward(x: Tensor): Tensor {
    return this.layers.forward(x);
  }
}
