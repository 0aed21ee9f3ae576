/**
 * The training loop every experiment uses, as the course runs it: seeded batches from the
 * training set (BatchIterator), one optimisation step each, and an evaluation on the whole test
 * set after step 0, every `evalFreq` steps, and after the last step. The train point of each
 * evaluation is the mean loss/accuracy of the steps since the previous evaluation.
 */

import { BatchIterator, type BatchIteratorState } from '../data/batches.js';
import type { Cifar10Split } from '../data/cifar10-split.js';
import { ArgumentError, DlpError } from '../errors.js';
import { Rng } from '../random.js';
import { shardRange } from '../distributed/data-parallel.js';
import { imageBatch } from './image-batch.js';
import type { Trainable } from './trainable.js';

/** One evaluation, as written to metrics.jsonl and printed by `--json`. */
export interface EvalRecord {
  event: 'eval';
  /** Training steps done so far (1 after the first step). */
  step: number;
  train_loss: number;
  train_accuracy: number;
  test_loss: number;
  test_accuracy: number;
}

/** Progress after each step, for a progress bar. */
export interface StepInfo {
  step: number;
  steps: number;
  loss: number;
  accuracy: number;
  /** Seconds spent in training steps so far (evaluations excluded). */
  trainSeconds: number;
}

export interface TrainLoopOptions {
  model: Trainable;
  train: Cifar10Split;
  test: Cifar10Split;
  /** Training-set mean image, subtracted from every image of both splits. */
  mean: Float32Array;
  steps: number;
  batchSize: number;
  evalFreq: number;
  /** Seeds the batch shuffles. */
  seed: number;
  /** Test images per evaluation call (bounds memory). Default 1000. */
  evalChunk?: number;
  /**
   * Data-parallel training: this process is rank `rank` of `size` and trains on its shard of
   * each batch (distributed/data-parallel.ts: shardRange), the model combining the shards.
   */
  shard?: { rank: number; size: number };
  /** False: no evaluations (a data-parallel rank other than 0, which only trains). Default true. */
  evaluate?: boolean;
  onEval?: (record: EvalRecord) => void;
  onStep?: (info: StepInfo) => void;
}

export interface TrainLoopResult {
  evals: EvalRecord[];
  final: EvalRecord;
  /** Seconds in training steps (batching included), evaluations excluded. */
  trainSeconds: number;
  evalSeconds: number;
}

/** An evaluation in progress (TrainingSession.evaluation()): one chunk of test images per `next()`. */
export interface ChunkedEvaluation {
  /** Test images in the evaluation. */
  readonly total: number;
  /** Test images evaluated so far (0..total). */
  readonly evaluated: number;
  /**
   * Evaluates the next chunk. Returns the evaluation's record after the last chunk (the
   * session then moves on: no evaluation is due), undefined before.
   * @throws ArgumentError when called again after the record was returned
   */
  next(): EvalRecord | undefined;
}

/**
 * Where a {@link TrainingSession} stands, apart from the model: JSON-able numbers, saved in
 * checkpoints. Sums are kept exactly (JSON numbers round-trip doubles), so a resumed session's
 * train points equal the uninterrupted one's to the bit.
 */
export interface TrainingSessionState {
  /** Training steps done. */
  step: number;
  /** An evaluation is due after `step` (a partial evaluation is not kept: it is redone). */
  evaluationDue: boolean;
  /** Loss·batch, correct and seen examples summed since the last evaluation. */
  sinceEval: { loss: number; correct: number; seen: number };
  /** Every evaluation so far. */
  evals: EvalRecord[];
  trainSeconds: number;
  evalSeconds: number;
  batches: BatchIteratorState;
}

/** The loss stopped being a finite number; metrics up to the last evaluation were reported. */
export class TrainingDivergedError extends DlpError {
  override readonly name = 'TrainingDivergedError';
  constructor(
    readonly step: number,
    readonly loss: number,
  ) {
    super(`training diverged: the loss became ${loss} at step ${step}; lower the learning rate (--lr)`);
  }
}

function checkPositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new ArgumentError(`${name} must be a positive integer, got ${value}`);
}

const now = () => performance.now() / 1000;

/**
 * The loop one step at a time, for callers that must not block (a browser worker that answers
 * pause clicks between steps): `trainStep()` runs the next step, `evaluate()` the evaluation that
 * is due after it (`evaluationDue`). `trainLoop` drives the same object, so a page and the CLI
 * train identically.
 */
export class TrainingSession {
  readonly #options: TrainLoopOptions;
  readonly #batches: BatchIterator;
  readonly #chunk: number;
  readonly #evals: EvalRecord[] = [];
  #step = 0;
  #due = false;
  #sum = { loss: 0, correct: 0, seen: 0 };
  #trainSeconds = 0;
  #evalSeconds = 0;
  #evaluation: ChunkedEvaluation | undefined;
  #testIndices: Uint32Array | undefined;

  constructor(options: TrainLoopOptions) {
    checkPositiveInteger('steps', options.steps);
    checkPositiveInteger('batch size', options.batchSize);
    checkPositiveInteger('eval frequency', options.evalFreq);
    this.#options = options;
    this.#batches = new BatchIterator(options.train, { batchSize: options.batchSize, mean: options.mean, rng: new Rng(options.seed), reuseBuffers: true });
    this.#chunk = options.evalChunk ?? 1000;
  }

  /** Training steps done so far. */
  get step(): number {
    return this.#step;
  }

  /** Whether an evaluation is due: after the first step, every evalFreq steps, after the last. */
  get evaluationDue(): boolean {
    return this.#due;
  }

  /** All steps done and the last evaluation made. */
  get done(): boolean {
    return this.#step === this.#options.steps && !this.#due;
  }

  /**
   * One optimisation step on the next batch.
   * @throws TrainingDivergedError when the loss is not finite
   */
  trainStep(): StepInfo {
    const { model, train, mean, batchSize, steps, evalFreq } = this.#options;
    if (this.#due || this.#step >= steps) {
      throw new ArgumentError(this.#due ? 'an evaluation is due before the next step' : `all ${steps} steps are done`);
    }
    const t0 = now();
    let { indices, labels } = this.#batches.nextIndices();
    const shard = this.#options.shard;
    if (shard) {
      const { start, end } = shardRange(indices.length, shard.rank, shard.size);
      [indices, labels] = [indices.subarray(start, end), labels.subarray(start, end)];
    }
    const { loss, correct } = model.trainStep(imageBatch(train, mean, indices, labels));
    this.#trainSeconds += now() - t0;
    const s = this.#step++;
    if (!Number.isFinite(loss)) throw new TrainingDivergedError(s + 1, loss);
    this.#sum.loss += loss * batchSize;
    this.#sum.correct += correct;
    this.#sum.seen += batchSize;
    this.#due = this.#options.evaluate !== false && (s % evalFreq === 0 || s === steps - 1);
    return { step: s + 1, steps, loss, accuracy: correct / batchSize, trainSeconds: this.#trainSeconds };
  }

  /** The due evaluation on the whole test set; the train point is the mean since the last one. */
  evaluate(): EvalRecord {
    const evaluation = this.evaluation();
    for (;;) {
      const record = evaluation.next();
      if (record !== undefined) return record;
    }
  }

  /**
   * The due evaluation a chunk (`evalChunk` test images) at a time, for a caller that must stay
   * responsive between chunks (a ConvNet's evaluation takes a minute in wasm). The result is the
   * one evaluate() gives, to the bit: same chunks, same order of sums. Asking again before it is
   * finished returns the same evaluation, so evaluate() can finish one begun here.
   */
  evaluation(): ChunkedEvaluation {
    if (!this.#due) throw new ArgumentError('no evaluation is due: run trainStep() first');
    this.#evaluation ??= this.#startEvaluation();
    return this.#evaluation;
  }

  #startEvaluation(): ChunkedEvaluation {
    const { model, test, mean } = this.#options;
    const total = test.length;
    const all = (this.#testIndices ??= Uint32Array.from({ length: total }, (_, i) => i));
    let [start, sumLoss, correct] = [0, 0, 0];
    const finish = (): EvalRecord => {
      const { loss, correct: trainCorrect, seen } = this.#sum;
      const record: EvalRecord = {
        event: 'eval',
        step: this.#step,
        train_loss: loss / seen,
        train_accuracy: trainCorrect / seen,
        test_loss: sumLoss / total,
        test_accuracy: correct / total,
      };
      this.#evals.push(record);
      this.#sum = { loss: 0, correct: 0, seen: 0 };
      this.#due = false;
      this.#evaluation = undefined;
      return record;
    };
    return {
      total,
      get evaluated() {
        return start;
      },
      next: () => {
        if (start >= total) throw new ArgumentError('this evaluation is finished: its record was returned');
        const t0 = now();
        const end = Math.min(total, start + this.#chunk);
        const batch = imageBatch(test, mean, all.subarray(start, end), test.labels.subarray(start, end));
        const result = model.evaluate(batch);
        sumLoss += result.loss * (end - start);
        correct += result.correct;
        start = end;
        this.#evalSeconds += now() - t0;
        return start === total ? finish() : undefined;
      },
    };
  }

  /**
   * Where the session stands (a copy), apart from the model, whose state the caller saves with
   * it (Trainable.trainerState). Asked between two chunks of an evaluation, it says the
   * evaluation is due: the chunks done so far are not kept, and a session loaded from it
   * evaluates again from the first chunk.
   */
  stateDict(): TrainingSessionState {
    return {
      step: this.#step,
      evaluationDue: this.#due,
      sinceEval: { ...this.#sum },
      evals: this.#evals.map((e) => ({ ...e })),
      trainSeconds: this.#trainSeconds,
      evalSeconds: this.#evalSeconds,
      batches: this.#batches.stateDict(),
    };
  }

  /**
   * Continues from a saved {@link TrainingSessionState} (with the model's state loaded by the
   * caller): the next trainStep() or evaluation is the one the saved session would have run.
   * @throws ArgumentError for a state that does not fit this session's steps, batch size or
   *   training set; the session is left as it was
   */
  loadStateDict(state: TrainingSessionState): void {
    const { steps, evalFreq } = this.#options;
    const step = state?.step;
    if (!Number.isSafeInteger(step) || step < 0 || step > steps) {
      throw new ArgumentError(`training session state: step must be an integer in 0..${steps}, got ${String(step)}`);
    }
    const due = state.evaluationDue === true;
    if (due && !(step > 0 && ((step - 1) % evalFreq === 0 || step === steps))) {
      throw new ArgumentError(`training session state: no evaluation is due after step ${step} (eval every ${evalFreq})`);
    }
    const sums = state.sinceEval;
    if (![sums?.loss, sums?.correct, sums?.seen].every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new ArgumentError('training session state: sinceEval must hold finite loss, correct and seen');
    }
    if (!Array.isArray(state.evals) || state.evals.some((e) => e?.event !== 'eval' || !(e.step <= step))) {
      throw new ArgumentError(`training session state: evals must be evaluation records up to step ${step}`);
    }
    this.#batches.loadStateDict(state.batches);
    this.#step = step;
    // A rank that does not evaluate (data-parallel, not rank 0) takes the next step instead.
    this.#due = due && this.#options.evaluate !== false;
    this.#sum = { loss: sums.loss, correct: sums.correct, seen: sums.seen };
    this.#evals.splice(0, this.#evals.length, ...state.evals.map((e) => ({ ...e })));
    this.#trainSeconds = Number.isFinite(state.trainSeconds) ? state.trainSeconds : 0;
    this.#evalSeconds = Number.isFinite(state.evalSeconds) ? state.evalSeconds : 0;
    this.#evaluation = undefined;
  }

  /** Every evaluation so far, the last one, and the seconds spent training and evaluating. */
  result(): TrainLoopResult {
    const final = this.#evals[this.#evals.length - 1];
    if (!final) throw new ArgumentError('no evaluation yet: run a step and its evaluation first');
    return { evals: [...this.#evals], final, trainSeconds: this.#trainSeconds, evalSeconds: this.#evalSeconds };
  }
}

/** Runs every step, with its evaluations, calling onStep and onEval as they happen. */
export function trainLoop(options: TrainLoopOptions): TrainLoopResult {
  const session = new TrainingSession(options);
  while (!session.done) {
    const info = session.trainStep();
    options.onStep?.(info);
    if (session.evaluationDue) {
      const record = session.evaluate();
      options.onEval?.(record);
    }
  }
  return session.result();
}
