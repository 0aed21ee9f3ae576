/**
 * Trains an nn.Module classifier the PyTorch way: forward to logits, fused cross-entropy,
 * zeroGrad / backward / optimiser step. Evaluation runs in eval mode without the tape.
 */

import { noGrad } from '../autograd/grad-mode.js';
import { reuseTensor } from '../reuse-tensor.js';
import type { Module } from '../nn/module.js';
import { crossEntropy } from '../ops/loss.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { Backend } from '../backends/backend.js';
import { getKernel } from '../kernels/registry.js';
import type { TensorValues } from '../optim/optimizer.js';
import { Rng } from '../random.js';
import { Tensor } from '../tensor.js';
import { ArgumentError } from '../errors.js';
import { countCorrect } from './metrics.js';
import type { DataParallel } from '../distributed/data-parallel.js';
import type { ImageBatch, StepResult, Trainable, TrainerState } from './trainable.js';

export class AutogradTrainer implements Trainable {
  readonly model: Module;
  readonly optimizer: Optimizer;
  /** Shape of one example as the model takes it: [3072] for the MLPs, [3, 32, 32] for the ConvNet. */
  readonly inputShape: readonly number[];
  readonly classes: number;
  readonly #backend: Backend;
  #x: Tensor | undefined;
  #dataParallel: { parallel: DataParallel; globalRows: number } | undefined;

  constructor(model: Module, optimizer: Optimizer, options: { backend: Backend; inputShape?: readonly number[]; classes?: number }) {
    this.model = model;
    this.optimizer = optimizer;
    this.#backend = options.backend;
    this.inputShape = options.inputShape ?? [3072];
    this.classes = options.classes ?? 10;
  }

  trainStep(batch: ImageBatch): StepResult {
    this.model.train();
    const x = this.#input(batch);
    const logits = this.model.forward(x);
    const loss = crossEntropy(logits, batch.labels);
    const correct = countCorrect(logits.toArray(), batch.labels, this.classes);
    this.optimizer.zeroGrad();
    const parallel = this.#dataParallel;
    if (parallel) {
      // This shard's share of the global batch's mean: the summed gradients are the global one's.
      const rows = batch.labels.length;
      loss.backward(Tensor.from([rows / parallel.globalRows], [], { backend: this.#backend, dtype: loss.dtype }));
      parallel.parallel.allReduceGradients(this.optimizer.params);
    } else {
      loss.backward();
    }
    this.optimizer.step();
    this.#releaseGradients();
    const local = { loss: loss.item(), correct };
    return parallel ? parallel.parallel.combine(local, batch.labels.length, parallel.globalRows) : local;
  }

  /**
   * Trains data-parallel from now on (train/run.ts does this for --distributed): each step's
   * batch is this rank's shard of a global batch of `globalRows`; the gradients are summed over
   * the ranks before the optimiser step, and the step's loss and correct count are the global
   * batch's. Rank 0's parameters and buffers are broadcast first, so every rank starts alike.
   */
  enableDataParallel(parallel: DataParallel, globalRows: number): void {
    parallel.broadcastFromRoot(Object.values(this.model.stateDict()));
    this.#dataParallel = { parallel, globalRows };
  }

  evaluate(batch: ImageBatch): StepResult {
    this.model.eval();
    return noGrad(() => {
      const logits = this.model.forward(this.#input(batch));
      const loss = crossEntropy(logits, batch.labels).item();
      return { loss, correct: countCorrect(logits.toArray(), batch.labels, this.classes) };
    });
  }

  predict(batch: ImageBatch): Float32Array {
    this.model.eval();
    return noGrad(() => {
      const logits = this.model.forward(this.#input(batch));
      const [rows, cols] = logits.shape as [number, number];
      const probs = Tensor.zeros([rows, cols], { backend: this.#backend, dtype: logits.dtype });
      try {
        getKernel('softmax', this.#backend.name)(this.#backend, { x: logits.storage, out: probs.storage, rows, cols });
        return Float32Array.from(probs.toArray());
      } finally {
        probs.dispose();
      }
    });
  }

  /**
   * The step's gradients are dead once the optimiser has used them (the trainer owns this loop;
   * nobody else holds them): their memory goes back to the backend for the next step's.
   */
  #releaseGradients(): void {
    for (const p of this.optimizer.params) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  stateDict(): Record<string, Tensor> {
    return this.model.stateDict();
  }

  trainerState(): TrainerState {
    const generators = Object.fromEntries([...this.#generators()].map(([name, rng]) => [name, Array.from(rng.state())]));
    return {
      model: this.model.stateDict(),
      optimizer: this.optimizer.stateDict(),
      ...(Object.keys(generators).length > 0 ? { generators } : {}),
    };
  }

  loadTrainerState(state: TrainerState<TensorValues>): void {
    const own = this.#generators();
    const saved = state.generators ?? {};
    const names = (keys: Iterable<string>) => [...keys].sort().join(', ') || 'none';
    if (names(own.keys()) !== names(Object.keys(saved))) {
      throw new ArgumentError(`loadTrainerState: the state has generators for ${names(Object.keys(saved))}, the model ${names(own.keys())}`);
    }
    for (const words of Object.values(saved)) Rng.fromState(words); // checks them before anything changes
    if (!state.optimizer) throw new ArgumentError('loadTrainerState: the state has no optimizer state');
    this.model.loadStateDict(state.model);
    this.optimizer.loadStateDict(state.optimizer);
    for (const [name, rng] of own) rng.setState(saved[name]!);
  }

  /**
   * The generators the model draws from while training (a Dropout's masks: any module with an
   * Rng `generator`), named by the first module using each; a generator shared by several
   * modules, or with weight init (nn's default one), is listed once.
   */
  #generators(): Map<string, Rng> {
    const out = new Map<string, Rng>();
    const seen = new Set<Rng>();
    for (const [name, module] of this.model.namedModules()) {
      const generator = (module as { generator?: unknown }).generator;
      if (!(generator instanceof Rng) || seen.has(generator)) continue;
      seen.add(generator);
      out.set(name, generator);
    }
    return out;
  }

  /** The batch's images in an input tensor reused between steps (nothing keeps it past a step). */
  #input(batch: ImageBatch): Tensor {
    const rows = batch.labels.length;
    const x = (this.#x = reuseTensor(this.#x, [rows, 3072], this.#backend, 'float32'));
    batch.loadImages(x);
    // The rows are NCHW images already: a view gives the model its own shape.
    return this.inputShape.length === 1 ? x : x.reshape([rows, ...this.inputShape]);
  }
}
