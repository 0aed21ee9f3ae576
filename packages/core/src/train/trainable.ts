/** What the training loop needs of a model: one optimisation step, evaluation of a chunk, and its state for checkpoints. */

import type { OptimizerStateDict, TensorValues } from '../optim/optimizer.js';
import type { Tensor } from '../tensor.js';

/**
 * Everything a trainer's next steps depend on besides the batches: what a checkpoint must hold
 * for a resumed run to continue bit for bit. `T` is Tensor when saving; loading also takes
 * shapes and values read from a file.
 */
export interface TrainerState<T = Tensor> {
  /** The model's parameters and buffers by PyTorch name (`layers.0.weight`, `…running_mean`). */
  model: Record<string, T>;
  /** The optimiser's state in torch.optim's state_dict layout; absent where there is none (the course's plain SGD). */
  optimizer?: OptimizerStateDict<T>;
  /** State words (Rng.state) of other generators a step draws from (dropout masks), by module name. */
  generators?: Record<string, number[]>;
}

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
  /** The trainer's whole state (model, optimiser, generators); its tensors are the trainer's own, valid until the next step. */
  trainerState(): TrainerState;
  /**
   * Continues from a saved {@link TrainerState}: the next step is the one the saved trainer
   * would have taken.
   * @throws ArgumentError or ShapeError when the state does not fit this model or optimiser
   *   (the trainer is then not fit to train on)
   */
  loadTrainerState(state: TrainerState<TensorValues>): void;
}
