/**
 * DenseNet (Huang et al. 2017) as torchvision builds it (torchvision/models/densenet.py), with its
 * module and parameter names, so that torchvision's `densenet121().state_dict()` loads unchanged:
 *
 *   features.conv0 (7×7/2, pad 3, no bias), features.norm0, features.relu0, features.pool0 (max 3×3/2, pad 1),
 *   features.denseblock{b}.denselayer{l}.{norm1, relu1, conv1 (1×1 → bnSize·growth), norm2, relu2,
 *     conv2 (3×3, pad 1 → growth)}: each layer reads the concatenation (channels) of the block's
 *     input and every earlier layer's output,
 *   features.transition{b}.{norm, relu, conv (1×1, channels halved), pool (avg 2×2/2)} between blocks,
 *   features.norm5, then relu → adaptive average pool to 1×1 → flatten → classifier (Linear).
 *
 * DenseNet-121: growth 32, blocks (6, 12, 24, 16), 64 initial features, bottleneck 4·growth:
 * 1024 features into the classifier. Initialisation as torchvision's: convolution weights
 * kaiming_normal (std √(2/fan_in)), BatchNorm weight 1 and bias 0, Linear bias 0.
 * CIFAR-10's 32×32 images go in as they are (features 16 → 8 → 4 → 2 → 1 pixels wide).
 */

import { allocateTypedArray } from '../dtype.js';
import { ArgumentError } from '../errors.js';
import { ReLU } from '../nn/activation.js';
import { Conv2d, MaxPool2d } from '../nn/conv.js';
import { defaultRng } from '../nn/init.js';
import { Linear } from '../nn/linear.js';
import { Module } from '../nn/module.js';
import { BatchNorm2d } from '../nn/normalization.js';
import { AvgPool2d } from '../nn/pooling.js';
import { cat } from '../ops/cat.js';
import { dropout } from '../ops/dropout.js';
import { relu } from '../ops/elementwise.js';
import { adaptiveAvgPool2d } from '../ops/pooling.js';
import type { PlacementOptions } from '../placement.js';
import type { Rng } from '../random.js';
import type { Tensor } from '../tensor.js';

/** The shape of a DenseNet; torchvision's argument names, camelCased. */
export interface DenseNetConfig {
  /** Channels each dense layer adds (k in the paper; 32). */
  growthRate?: number;
  /** Dense layers per block (DenseNet-121: [6, 12, 24, 16]). */
  blockConfig?: readonly number[];
  /** Channels out of the stem convolution (64). */
  numInitFeatures?: number;
  /** The bottleneck: each layer's 1×1 convolution gives bnSize·growthRate channels (4). */
  bnSize?: number;
  /** Dropout after each dense layer while training (0: none). */
  dropRate?: number;
  /** Outputs of the classifier (1000, ImageNet's; 10 for CIFAR-10). */
  numClasses?: number;
}

export type DenseNetOptions = DenseNetConfig & PlacementOptions & { rng?: Rng };

type LayerOptions = PlacementOptions & { rng?: Rng };

/** Modules applied in order under their own names (torch's Sequential of an OrderedDict). */
class NamedStages extends Module {
  readonly #stages: Module[] = [];

  protected add<M extends Module>(name: string, module: M): M {
    this.#stages.push(this.registerModule(name, module));
    return module;
  }

  forward(x: Tensor): Tensor {
    return this.#stages.reduce((out, stage) => stage.forward(out), x);
  }
}

/** Conv2d without bias, its weight redrawn as torchvision's kaiming_normal_: N(0, 2/fan_in). */
function kaimingConv(inChannels: number, outChannels: number, kernel: number, options: LayerOptions & { stride?: number; padding?: number }): Conv2d {
  const conv = new Conv2d(inChannels, outChannels, kernel, { ...options, bias: false });
  const rng = options.rng ?? defaultRng();
  const std = Math.sqrt(2 / (inChannels * kernel * kernel));
  const weight = allocateTypedArray(conv.weight.dtype, conv.weight.size);
  for (let i = 0; i < weight.length; i++) weight[i] = rng.normal() * std;
  conv.weight.backend.write(conv.weight.storage, weight);
  return conv;
}

/**
 * BN → ReLU → 1×1 conv (bnSize·growth) → BN → ReLU → 3×3 conv (growth): the new features of one
 * dense layer from the concatenation of all earlier ones.
 */
export class DenseLayer extends Module {
  readonly norm1: BatchNorm2d;
  readonly relu1: ReLU;
  readonly conv1: Conv2d;
  readonly norm2: BatchNorm2d;
  readonly relu2: ReLU;
  readonly conv2: Conv2d;
  readonly #dropRate: number;
  readonly #rng: Rng;

  constructor(inputFeatures: number, growthRate: number, bnSize: number, dropRate: number, options: LayerOptions = {}) {
    super();
    const bottleneck = bnSize * growthRate;
    this.norm1 = this.registerModule('norm1', new BatchNorm2d(inputFeatures, options));
    this.relu1 = this.registerModule('relu1', new ReLU());
    this.conv1 = this.registerModule('conv1', kaimingConv(inputFeatures, bottleneck, 1, options));
    this.norm2 = this.registerModule('norm2', new BatchNorm2d(bottleneck, options));
    this.relu2 = this.registerModule('relu2', new ReLU());
    this.conv2 = this.registerModule('conv2', kaimingConv(bottleneck, growthRate, 3, { ...options, padding: 1 }));
    this.#dropRate = dropRate;
    this.#rng = options.rng ?? defaultRng();
  }

  /** x: the block's features so far, concatenated along the channels. */
  forward(x: Tensor): Tensor {
    const bottleneck = this.conv1.forward(this.relu1.forward(this.norm1.forward(x)));
    const out = this.conv2.forward(this.relu2.forward(this.norm2.forward(bottleneck)));
    return this.#dropRate > 0 ? dropout(out, this.#dropRate, { training: this.training, rng: this.#rng }) : out;
  }
}

/** denselayer1 … denselayerN; the output is the input and every layer's features, concatenated. */
export class DenseBlock extends Module {
  readonly layers: readonly DenseLayer[];

  constructor(numLayers: number, inputFeatures: number, growthRate: number, bnSize: number, dropRate: number, options: LayerOptions = {}) {
    super();
    this.layers = Array.from({ length: numLayers }, (_, i) =>
      this.registerModule(`denselayer${i + 1}`, new DenseLayer(inputFeatures + i * growthRate, growthRate, bnSize, dropRate, options)),
    );
  }

  forward(x: Tensor): Tensor {
    const features = [x];
    for (const layer of this.layers) features.push(layer.forward(cat(features, 1)));
    return cat(features, 1);
  }
}

/** Between blocks: BN → ReLU → 1×1 conv → 2×2 average pool, stride 2. */
export class Transition extends NamedStages {
  constructor(inputFeatures: number, outputFeatures: number, options: LayerOptions = {}) {
    super();
    this.add('norm', new BatchNorm2d(inputFeatures, options));
    this.add('relu', new ReLU());
    this.add('conv', kaimingConv(inputFeatures, outputFeatures, 1, options));
    this.add('pool', new AvgPool2d(2, { stride: 2 }));
  }
}

/** The stem, the dense blocks with their transitions, and the last BatchNorm (torchvision's `features`). */
export class DenseNetFeatures extends NamedStages {
  /** Channels out of norm5: the classifier's input. */
  readonly numFeatures: number;

  constructor(config: Required<Omit<DenseNetConfig, 'numClasses'>>, options: LayerOptions = {}) {
    super();
    const { growthRate, blockConfig, numInitFeatures, bnSize, dropRate } = config;
    this.add('conv0', kaimingConv(3, numInitFeatures, 7, { ...options, stride: 2, padding: 3 }));
    this.add('norm0', new BatchNorm2d(numInitFeatures, options));
    this.add('relu0', new ReLU());
    this.add('pool0', new MaxPool2d(3, { stride: 2, padding: 1 }));
    let features = numInitFeatures;
    blockConfig.forEach((numLayers, i) => {
      this.add(`denseblock${i + 1}`, new DenseBlock(numLayers, features, growthRate, bnSize, dropRate, options));
      features += numLayers * growthRate;
      if (i !== blockConfig.length - 1) {
        this.add(`transition${i + 1}`, new Transition(features, Math.floor(features / 2), options));
        features = Math.floor(features / 2);
      }
    });
    this.add('norm5', new BatchNorm2d(features, options));
    this.numFeatures = features;
  }
}

function positiveInteger(name: string, v: number, min = 1): void {
  if (!Number.isInteger(v) || v < min) throw new ArgumentError(`DenseNet: ${name} must be an integer ≥ ${min}, got ${v}`);
}

/**
 * A DenseNet with torchvision's names; defaults are DenseNet-121's with 1000 classes.
 *
 * @example
 * const model = new models.DenseNet({ growthRate: 8, blockConfig: [2, 2], numInitFeatures: 16, bnSize: 2, numClasses: 10 });
 * model.forward(x); // x [N, 3, H, W] → logits [N, 10]
 */
export class DenseNet extends Module {
  readonly features: DenseNetFeatures;
  #classifier: Linear;
  readonly #placement: LayerOptions;

  constructor(options: DenseNetOptions = {}) {
    super();
    const config = {
      growthRate: options.growthRate ?? 32,
      blockConfig: options.blockConfig ?? [6, 12, 24, 16],
      numInitFeatures: options.numInitFeatures ?? 64,
      bnSize: options.bnSize ?? 4,
      dropRate: options.dropRate ?? 0,
    };
    positiveInteger('growthRate', config.growthRate);
    positiveInteger('numInitFeatures', config.numInitFeatures);
    positiveInteger('bnSize', config.bnSize);
    if (config.blockConfig.length === 0) throw new ArgumentError('DenseNet: blockConfig must name at least one block');
    config.blockConfig.forEach((n, i) => positiveInteger(`blockConfig[${i}]`, n));
    if (!(config.dropRate >= 0 && config.dropRate < 1)) throw new ArgumentError(`DenseNet: dropRate must be in [0, 1), got ${config.dropRate}`);
    const placement: LayerOptions = {
      ...(options.backend !== undefined ? { backend: options.backend } : {}),
      ...(options.dtype !== undefined ? { dtype: options.dtype } : {}),
      ...(options.rng !== undefined ? { rng: options.rng } : {}),
    };
    this.#placement = placement;
    this.features = this.registerModule('features', new DenseNetFeatures(config, placement));
    this.#classifier = this.registerModule('classifier', this.#newClassifier(options.numClasses ?? 1000));
  }

  /** The head: Linear(numFeatures → classes). */
  get classifier(): Linear {
    return this.#classifier;
  }

  /** A new head in the old one's place (same state-dict names), as `model.classifier = nn.Linear(…)` in PyTorch. */
  set classifier(head: Linear) {
    if (head.inFeatures !== this.features.numFeatures) {
      throw new ArgumentError(`DenseNet: a classifier must take ${this.features.numFeatures} features, got one taking ${head.inFeatures}`);
    }
    this.#classifier = this.replaceModule('classifier', head);
  }

  /** Replaces the head with a fresh Linear(numFeatures → numClasses), initialised as at construction; returns it. */
  resetClassifier(numClasses: number): Linear {
    this.classifier = this.#newClassifier(numClasses);
    return this.#classifier;
  }

  /**
   * Freezes (or unfreezes) every parameter of `features`: they stop requiring grad, so backward
   * computes nothing for them (nor, with the input images needing none, through them at all).
   * Give the optimiser `model.parameters().filter((p) => p.requiresGrad)`. BatchNorm's running
   * statistics still update in training mode, as in PyTorch.
   */
  freezeFeatures(frozen = true): void {
    for (const p of this.features.parameters()) {
      p.requiresGrad_(!frozen);
      if (frozen) p.grad = null;
    }
  }

  /** x [N, 3, H, W] → logits [N, classes]: features → ReLU → global average → classifier. */
  forward(x: Tensor): Tensor {
    const features = this.features.forward(x);
    return this.#classifier.forward(adaptiveAvgPool2d(relu(features), 1).flatten(1));
  }

  /** torchvision's head: PyTorch's default Linear weight, bias 0. */
  #newClassifier(numClasses: number): Linear {
    positiveInteger('numClasses', numClasses);
    const head = new Linear(this.features.numFeatures, numClasses, this.#placement);
    head.bias!.backend.fill(head.bias!.storage, 0);
    return head;
  }
}

/**
 * DenseNet-121 (growth 32, blocks 6-12-24-16, 64 initial features, bottleneck 4): torchvision's
 * `densenet121()`; `numClasses` defaults to its 1000.
 *
 * @example
 * const model = models.densenet121({ numClasses: 10, backend: 'native' });
 */
export function densenet121(options: Omit<DenseNetOptions, 'growthRate' | 'blockConfig' | 'numInitFeatures' | 'bnSize'> = {}): DenseNet {
  return new DenseNet({ ...options, growthRate: 32, blockConfig: [6, 12, 24, 16], numInitFeatures: 64, bnSize: 4 });
}
