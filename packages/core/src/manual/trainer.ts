/**
 * Trains the hand-written-backprop MLP as the course does: forward to probabilities,
 * cross-entropy against one-hot targets, backward through every module, plain SGD.
 */

import { CrossEntropyModule } from './cross-entropy.js';
import type { MLP } from './mlp.js';
import { reuseTensor } from '../reuse-tensor.js';
import type { Tensor } from '../tensor.js';
import { countCorrect, writeOneHot } from '../train/metrics.js';
import type { TensorValues } from '../optim/optimizer.js';
import type { ImageBatch, StepResult, Trainable, TrainerState } from '../train/trainable.js';

export class ManualMlpTrainer implements Trainable {
  readonly mlp: MLP;
  readonly lr: number;
  readonly classes: number;
  readonly #loss: CrossEntropyModule;
  #x: Tensor | undefined;
  #y: Tensor | undefined;

  constructor(mlp: MLP, options: { lr: number; classes?: number }) {
    this.mlp = mlp;
    this.lr = options.lr;
    this.classes = options.classes ?? 10;
    this.#loss = new CrossEntropyModule({ backend: mlp.backend, dtype: mlp.dtype });
  }

  trainStep(batch: ImageBatch): StepResult {
    const { labels } = batch;
    const [input, target] = this.#batch(batch);
    const probs = this.mlp.forward(input);
    const loss = this.#loss.forward(probs, target);
    const correct = countCorrect(probs.toArray(), labels, this.classes);
    this.mlp.backward(this.#loss.backward(probs, target));
    this.mlp.sgdStep(this.lr);
    return { loss, correct };
  }

  evaluate(batch: ImageBatch): StepResult {
    const { labels } = batch;
    const [input, target] = this.#batch(batch);
    const probs = this.mlp.forward(input);
    const loss = this.#loss.forward(probs, target);
    return { loss, correct: countCorrect(probs.toArray(), labels, this.classes) };
  }

  /** The MLP ends in its SoftMax module, so its output already is the probabilities. */
  predict(batch: ImageBatch): Float32Array {
    const [input] = this.#batch(batch);
    return Float32Array.from(this.mlp.forward(input).toArray());
  }

  stateDict(): Record<string, Tensor> {
    return this.mlp.stateDict();
  }

  /** The weights alone: the course's plain SGD keeps no state between steps. */
  trainerState(): TrainerState {
    return { model: this.mlp.stateDict() };
  }

  loadTrainerState(state: TrainerState<TensorValues>): void {
    this.mlp.loadStateDict(state.model);
  }

  /** The batch as an input tensor and one-hot targets, in buffers reused between steps. */
  #batch(batch: ImageBatch): [Tensor, Tensor] {
    const rows = batch.labels.length;
    const { backend, dtype } = this.mlp;
    const input = (this.#x = reuseTensor(this.#x, [rows, this.mlp.inputs], backend, dtype));
    const target = (this.#y = reuseTensor(this.#y, [rows, this.classes], backend, dtype));
    batch.loadImages(input);
    writeOneHot(target, batch.labels, this.classes);
    return [input, target];
  }
}
