/**
 * Modules with hand-written backward passes (the course's "NumPy" part), fenced: nothing
 * outside this folder imports it; the entry point does, which also registers the 'numpy' setup.
 */
import './setup.js';

export { LinearModule, type LinearOptions } from './linear.js';
export { ELUModule } from './elu.js';
export { SoftMaxModule } from './softmax.js';
export { CrossEntropyModule } from './cross-entropy.js';
export { MLP, type MLPOptions, type ManualLayer } from './mlp.js';
export type { ManualOptions } from './options.js';
export { ManualMlpTrainer } from './trainer.js';
