/** What the training loop needs of a model: one optimisation step, and evaluation of a chunk. */

import type { Tensor } from '../tensor.js';

/** Loss (mean over the examples) and how many were classified correctly. */
export interface StepResult {
  loss: number;
  correct: number;
}

export interface Trainable {
  /** Forward, backward and parameter update on one batch (x: B×3072 float32, labels: B). */
  trainStep(x: Float32Array, labels: Uint8Array): StepResult;
  /** Loss and correct count on a chunk of examples, without updating anything. */
  evaluate(x: Float32Array, labels: Uint8Array): StepResult;
  /** Parameters (and buffers) by PyTorch-style name, for the checkpoint. */
  stateDict(): Record<string, Tensor>;
}
