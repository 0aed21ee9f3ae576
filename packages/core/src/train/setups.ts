/**
 * The experiments of the practical as presets: their model, optimiser and schedule, and the
 * accuracy the course reports. `dlp train --setup NAME` runs one; every flag overrides it.
 */

import type { Backend } from '../backends/backend.js';
import { ArgumentError } from '../errors.js';
import { MLP } from '../manual/mlp.js';
import { Rng } from '../random.js';
import { ManualMlpTrainer } from './manual-mlp-trainer.js';
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
  /** What the model is, for config.json. */
  architecture: Record<string, unknown>;
  build(context: { backend: Backend; rng: Rng; lr: number }): Trainable;
}

export const SETUPS: Readonly<Record<string, SetupPreset>> = {
  numpy: {
    name: 'numpy',
    description: 'MLP with hand-written backprop (Linear/ELU/SoftMax/CrossEntropy modules), SGD',
    defaults: { steps: 1400, batchSize: 200, lr: 1e-3, evalFreq: 100 },
    referenceAccuracy: 0.491,
    architecture: { kind: 'manual-mlp', inputs: 3072, hidden: [100], classes: 10, activation: 'elu', weight_init: 'normal(0, 1e-4)' },
    build: ({ backend, rng, lr }) => new ManualMlpTrainer(new MLP(3072, [100], 10, { backend, rng }), { lr }),
  },
};

export function getSetup(name: string): SetupPreset {
  const setup = SETUPS[name];
  if (!setup) {
    throw new ArgumentError(`unknown setup '${name}': expected one of ${Object.keys(SETUPS).join(', ')}`);
  }
  return setup;
}
