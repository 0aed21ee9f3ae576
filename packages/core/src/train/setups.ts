/**
 * The experiments of the practical as presets: their model, optimiser and schedule, and the
 * accuracy the course reports. `dlp train --setup NAME` runs one; every flag overrides it.
 */

import type { Backend } from '../backends/backend.js';
import { ArgumentError } from '../errors.js';
import { Rng } from '../random.js';
import { ConvNet } from '../models/convnet.js';
import { densenet121 } from '../models/densenet.js';
import { loadDenseNetWeights } from '../models/densenet-weights.js';
import { freezeAllBut, loadPretrained, type StateDictSource } from '../models/pretrained.js';
import { MlpClassifier, type ActivationKind, type NormKind } from '../models/mlp-classifier.js';
import { Adam } from '../optim/adam.js';
import { SGD } from '../optim/sgd.js';
import { AutogradTrainer } from './autograd-trainer.js';
import type { Trainable } from './trainable.js';

export interface SetupHyperparameters {
  steps: number;
  batchSize: number;
  lr: number;
  evalFreq: number;
}

export interface SetupPreset {
  name: string;
  description: string;
  defaults: SetupHyperparameters;
  /** Test accuracy of the course's reference run (DESIGN.md). */
  referenceAccuracy: number;
  /** Test accuracy PyTorch reached on this copy of CIFAR-10 (DESIGN.md, full run, seed 42). */
  pytorchAccuracyHere: number;
  /** What the model is, for config.json. */
  architecture: Record<string, unknown>;
  /** Test images per evaluation call (default 1000); smaller for models with large activations. */
  evalChunk?: number;
  /**
   * The prefix of the head's parameter names (`classifier.`, `linear.`) in the setups that take
   * pretrained weights: `--weights` loads everything else and the head only when it fits, and
   * `--freeze-features` trains the head alone. Setups without it refuse both.
   */
  head?: string;
  build(context: SetupBuildContext): Trainable;
}

/** What a setup's model is built with: where, its generator, the learning rate, and transfer options. */
export interface SetupBuildContext {
  backend: Backend;
  rng: Rng;
  lr: number;
  /**
   * Pretrained weights by PyTorch name (a state dict read from a file), for the setups with a
   * `head` (densenet121: torchvision's names; convnet): everything but the head loaded, the head
   * too when it fits; the others refuse them.
   */
  weights?: StateDictSource;
  /** Train only the head (setups with a `head`); the others refuse it. */
  freezeFeatures?: boolean;
}

/** Setups without pretrained features say so instead of ignoring the options. */
function refuseTransfer(setup: string, context: SetupBuildContext): void {
  for (const [option, given] of [['weights', context.weights !== undefined], ['freezeFeatures', context.freezeFeatures === true]] as const) {
    if (given) throw new ArgumentError(`setup '${setup}' does not take ${option}: only ${TRANSFER_SETUPS} do`);
  }
}

const TRANSFER_SETUPS = 'densenet121 and convnet';

/** One row of the practical's table of autograd MLP setups (DESIGN.md, experiment 2). */
interface MlpSetupRow {
  name: string;
  hidden: number[];
  lr: number;
  batchSize: number;
  steps: number;
  norm: NormKind;
  optimizer: 'sgd' | 'adam';
  activation: ActivationKind;
  referenceAccuracy: number;
  pytorchAccuracyHere: number;
}

function mlpSetup(row: MlpSetupRow): SetupPreset {
  const norm = { none: 'no norm', batchnorm: 'BatchNorm', layernorm: 'LayerNorm' }[row.norm];
  const config = { inputs: 3072, hidden: row.hidden, classes: 10, norm: row.norm, activation: row.activation };
  return {
    name: row.name,
    description: `autograd MLP ${[3072, ...row.hidden, 10].join('-')}, ${norm} before each Linear, ${row.activation.toUpperCase()}, ${row.optimizer === 'sgd' ? 'SGD' : 'Adam'}`,
    defaults: { steps: row.steps, batchSize: row.batchSize, lr: row.lr, evalFreq: 100 },
    referenceAccuracy: row.referenceAccuracy,
    pytorchAccuracyHere: row.pytorchAccuracyHere,
    architecture: { kind: 'mlp', ...config, optimizer: row.optimizer, weight_init: 'pytorch default (uniform ±1/sqrt(fan_in))' },
    build: (context) => {
      refuseTransfer(row.name, context);
      const { backend, rng, lr } = context;
      const model = new MlpClassifier(config, { backend, rng });
      const optimizer = row.optimizer === 'sgd' ? new SGD(model.parameters(), { lr }) : new Adam(model.parameters(), { lr });
      return new AutogradTrainer(model, optimizer, { backend });
    },
  };
}

const DEEP = [1024, 512, 256, 64];

/** The table of DESIGN.md, row by row. */
const MLP_SETUP_ROWS: MlpSetupRow[] = [
  { name: '1', hidden: [100], lr: 1e-3, batchSize: 200, steps: 1400, norm: 'none', optimizer: 'sgd', activation: 'elu', referenceAccuracy: 0.464, pytorchAccuracyHere: 0.457 },
  { name: '2', hidden: [100], lr: 1e-2, batchSize: 200, steps: 10000, norm: 'batchnorm', optimizer: 'sgd', activation: 'elu', referenceAccuracy: 0.529, pytorchAccuracyHere: 0.524 },
  { name: '3', hidden: [100, 100], lr: 1e-2, batchSize: 200, steps: 10000, norm: 'batchnorm', optimizer: 'sgd', activation: 'elu', referenceAccuracy: 0.524, pytorchAccuracyHere: 0.527 },
  { name: '4', hidden: [1024, 512], lr: 1e-2, batchSize: 200, steps: 10000, norm: 'batchnorm', optimizer: 'sgd', activation: 'elu', referenceAccuracy: 0.539, pytorchAccuracyHere: 0.549 },
  { name: '5', hidden: DEEP, lr: 1e-2, batchSize: 128, steps: 10000, norm: 'batchnorm', optimizer: 'sgd', activation: 'elu', referenceAccuracy: 0.557, pytorchAccuracyHere: 0.537 },
  { name: '6', hidden: DEEP, lr: 1e-3, batchSize: 128, steps: 2000, norm: 'batchnorm', optimizer: 'adam', activation: 'elu', referenceAccuracy: 0.56, pytorchAccuracyHere: 0.553 },
  { name: '7', hidden: DEEP, lr: 1e-3, batchSize: 128, steps: 2000, norm: 'layernorm', optimizer: 'adam', activation: 'elu', referenceAccuracy: 0.54, pytorchAccuracyHere: 0.539 },
  { name: '8', hidden: DEEP, lr: 1e-3, batchSize: 128, steps: 2000, norm: 'batchnorm', optimizer: 'adam', activation: 'relu', referenceAccuracy: 0.552, pytorchAccuracyHere: 0.552 },
  { name: '9', hidden: DEEP, lr: 1e-3, batchSize: 128, steps: 5000, norm: 'batchnorm', optimizer: 'adam', activation: 'tanh', referenceAccuracy: 0.501, pytorchAccuracyHere: 0.504 },
];

const CONVNET: SetupPreset = {
  name: 'convnet',
  description: 'pre-activation ResNet-style ConvNet (conv, PreAct blocks, 3x3/2 max-pools, BatchNorm), Adam',
  defaults: { steps: 5000, batchSize: 32, lr: 1e-4, evalFreq: 500 },
  // 1000 images would make every activation a 262 MB tensor (1000×64×32×32 floats). Measured
  // (bench/peers/convnet_dlp.mjs, 1000 test images, native, 2 threads): 50 → 4.5 s, 797 MB peak
  // RSS; 100 → 4.6 s, 907 MB; 250 → 3.9 s, 1146 MB.
  evalChunk: 250,
  referenceAccuracy: 0.812,
  pytorchAccuracyHere: 0.79,
  architecture: { kind: 'convnet', input: [3, 32, 32], classes: 10, optimizer: 'adam', weight_init: 'pytorch default (uniform ±1/sqrt(fan_in))' },
  head: 'linear.',
  build: ({ backend, rng, lr, weights, freezeFeatures }) => {
    const model = new ConvNet({ backend, rng });
    if (weights) loadPretrained(model, weights, 'linear.', '--weights');
    if (freezeFeatures) freezeAllBut(model, 'linear.');
    const trainable = model.parameters().filter((p) => p.requiresGrad);
    return new AutogradTrainer(model, new Adam(trainable, { lr }), { backend, inputShape: [3, 32, 32] });
  },
};

const DENSENET121: SetupPreset = {
  name: 'densenet121',
  description: "DenseNet-121 (torchvision's layers and names) with a new 10-class head, Adam; from scratch, or from torchvision weights (every layer fine-tuned, or the features frozen)",
  defaults: { steps: 5000, batchSize: 32, lr: 1e-4, evalFreq: 500 },
  // Measured on 500 test images after 20 steps (native, 2 threads, load ~2): chunks of 500 → 1.44 s,
  // 250 → 1.45 s, 100 → 1.66 s; RSS about 800 MB either way (32×32 inputs leave small activations).
  evalChunk: 500,
  // The course's reference is the ImageNet-pretrained run (0.812 from scratch, DESIGN.md).
  referenceAccuracy: 0.854,
  // Not measured: no PyTorch DenseNet-121 run on this copy of CIFAR-10 yet.
  pytorchAccuracyHere: Number.NaN,
  architecture: {
    kind: 'densenet121',
    input: [3, 32, 32],
    classes: 10,
    growth_rate: 32,
    block_config: [6, 12, 24, 16],
    num_init_features: 64,
    bn_size: 4,
    optimizer: 'adam',
    weight_init: 'torchvision (kaiming_normal convolutions, BatchNorm 1/0, Linear bias 0)',
  },
  head: 'classifier.',
  build: ({ backend, rng, lr, weights, freezeFeatures }) => {
    const model = densenet121({ backend, rng, numClasses: 10 });
    if (weights) loadDenseNetWeights(model, weights);
    if (freezeFeatures) model.freezeFeatures();
    const trainable = model.parameters().filter((p) => p.requiresGrad);
    return new AutogradTrainer(model, new Adam(trainable, { lr }), { backend, inputShape: [3, 32, 32] });
  },
};

const setups: Record<string, SetupPreset> = {
  ...Object.fromEntries(MLP_SETUP_ROWS.map((row) => [row.name, mlpSetup(row)])),
  convnet: CONVNET,
  densenet121: DENSENET121,
};

/** Every setup by name (the course-only 'numpy' one is registered by manual/, which owns it). */
export const SETUPS: Readonly<Record<string, SetupPreset>> = setups;

/** Adds a setup (or replaces the one of that name). */
export function registerSetup(preset: SetupPreset): void {
  setups[preset.name] = preset;
}

/** The practical's order of the named setups; numbered ones follow, in number order. */
const PRACTICAL_ORDER = ['numpy', 'convnet', 'densenet121'];

/** Setup names in the practical's order (numpy, then 1..9): object keys would put numbers first. */
export function setupNames(): string[] {
  const names = Object.keys(SETUPS);
  const rank = (n: string) => (PRACTICAL_ORDER.includes(n) ? PRACTICAL_ORDER.indexOf(n) : PRACTICAL_ORDER.length);
  const named = names.filter((n) => !/^\d+$/.test(n)).sort((a, b) => rank(a) - rank(b));
  return [...named, ...names.filter((n) => /^\d+$/.test(n))];
}

export function getSetup(name: string): SetupPreset {
  const setup = Object.hasOwn(SETUPS, name) ? SETUPS[name] : undefined;
  if (!setup) {
    throw new ArgumentError(`unknown setup '${name}': expected one of ${setupNames().join(', ')}`);
  }
  return setup;
}
