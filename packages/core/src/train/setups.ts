/**
 * The experiments of the practical as presets: their model, optimiser and schedule, and the
 * accuracy the course reports. `dlp train --setup NAME` runs one; every flag overrides it.
 */

import type { Backend } from '../backends/backend.js';
import { ArgumentError } from '../errors.js';
import { Rng } from '../random.js';
import { ConvNet } from '../models/convnet.js';
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
  build(context: { backend: Backend; rng: Rng; lr: number }): Trainable;
}

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
    build: ({ backend, rng, lr }) => {
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
  build: ({ backend, rng, lr }) => {
    const model = new ConvNet({ backend, rng });
    return new AutogradTrainer(model, new Adam(model.parameters(), { lr }), { backend, inputShape: [3, 32, 32] });
  },
};

const setups: Record<string, SetupPreset> = {
  ...Object.fromEntries(MLP_SETUP_ROWS.map((row) => [row.name, mlpSetup(row)])),
  convnet: CONVNET,
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
