/**
 * The course's "NumPy" experiment as a setup of `dlp train` (`--setup numpy`): the MLP with
 * hand-written backprop, trained by plain SGD. Registered here so that train/ never imports
 * the course-only manual modules.
 */

import { registerSetup } from '../train/setups.js';
import { MLP } from './mlp.js';
import { ManualMlpTrainer } from './trainer.js';

registerSetup({
  name: 'numpy',
  description: 'MLP with hand-written backprop (Linear/ELU/SoftMax/CrossEntropy modules), SGD',
  defaults: { steps: 1400, batchSize: 200, lr: 1e-3, evalFreq: 100 },
  referenceAccuracy: 0.491,
  pytorchAccuracyHere: 0.484,
  architecture: { kind: 'manual-mlp', inputs: 3072, hidden: [100], classes: 10, activation: 'elu', weight_init: 'normal(0, 1e-4)' },
  build: ({ backend, rng, lr }) => new ManualMlpTrainer(new MLP(3072, [100], 10, { backend, rng }), { lr }),
});
