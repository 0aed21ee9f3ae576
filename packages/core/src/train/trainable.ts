/** What the training loop needs of a model: one optimisation step, and evaluation of a chunk. */

import type { Tensor } from '../tensor.js';

/** Loss (mean over the examples) and how many were classified correctly. */
export interface StepResult {
  loss: number;
  correct: number;
}

/** A batch of images: its labels, and a way to write its input into a tensor. */
export interface ImageBatch {
  readonly labels: Uint8Array;
  /** Writes the images (pixel − training mean, NCHW rows of 3072) into `into`, [B, 3072]. */
  loadImages(into: Tensor): void;
}

export interface Trainable {
  /** Forward, backward and parameter update on one batch. */
  trainStep(batch: ImageBatch): StepResult;
  /** Loss and correct count on a chunk of examples, without updating anything. */
  evaluate(batch: ImageBatch): StepResult;
  /**
   * Class probabilities (softmax of the model's output, eval mode, nothing updated) of each
   * image of the batch: `rows × classes` values, row-major, in a fresh array the caller keeps.
   * What a page shows beside a test image; `batch.labels` only gives the row count.
   */
  predict(batch: ImageBatch): Float32Array;
  /** Parameters (and buffers) by PyTorch-style name, for the checkpoint. */
  stateDict(): Record<string, Tensor>;
}
