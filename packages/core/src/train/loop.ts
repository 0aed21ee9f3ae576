/**
 * The training loop every experiment uses, as the course runs it: seeded batches from the
 * training set (BatchIterator), one optimisation step each, and an evaluation on the whole test
 * set after step 0, every `evalFreq` steps, and after the last step. The train point of each
 * evaluation is the mean loss/accuracy of the steps since the previous evaluation.
 */

import { BatchIterator } from '../data/batches.js';
import type { Cifar10Split } from '../data/cifar10.js';
import { ArgumentError, DlpError } from '../errors.js';
import { Rng } from '../random.js';
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

export function trainLoop(options: TrainLoopOptions): TrainLoopResult {
  const { model, steps, batchSize, evalFreq } = options;
  checkPositiveInteger('steps', steps);
  checkPositiveInteger('batch size', batchSize);
  checkPositiveInteger('eval frequency', evalFreq);
  const batches = new BatchIterator(options.train, { batchSize, mean: options.mean, rng: new Rng(options.seed), reuseBuffers: true });
  const chunk = options.evalChunk ?? 1000;

  const evals: EvalRecord[] = [];
  let [sumLoss, sumCorrect, seen] = [0, 0, 0];
  let trainSeconds = 0;
  let evalSeconds = 0;

  for (let s = 0; s < steps; s++) {
    const t0 = now();
    const { indices, labels } = batches.nextIndices();
    const { loss, correct } = model.trainStep(imageBatch(options.train, options.mean, indices, labels));
    trainSeconds += now() - t0;
    if (!Number.isFinite(loss)) throw new TrainingDivergedError(s + 1, loss);
    sumLoss += loss * batchSize;
    sumCorrect += correct;
    seen += batchSize;
    options.onStep?.({ step: s + 1, steps, loss, accuracy: correct / batchSize, trainSeconds });

    if (s % evalFreq === 0 || s === steps - 1) {
      const t1 = now();
      const test = evaluate(model, options.test, options.mean, chunk);
      evalSeconds += now() - t1;
      const record: EvalRecord = {
        event: 'eval',
        step: s + 1,
        train_loss: sumLoss / seen,
        train_accuracy: sumCorrect / seen,
        test_loss: test.loss,
        test_accuracy: test.accuracy,
      };
      evals.push(record);
      options.onEval?.(record);
      [sumLoss, sumCorrect, seen] = [0, 0, 0];
    }
  }
  return { evals, final: evals[evals.length - 1]!, trainSeconds, evalSeconds };
}

/** Mean loss and accuracy over a whole split, `chunk` images per call. */
function evaluate(model: Trainable, split: Cifar10Split, mean: Float32Array, chunk: number): { loss: number; accuracy: number } {
  const n = split.length;
  const all = Uint32Array.from({ length: n }, (_, i) => i);
  let [sumLoss, correct] = [0, 0];
  for (let start = 0; start < n; start += chunk) {
    const end = Math.min(n, start + chunk);
    const batch = imageBatch(split, mean, all.subarray(start, end), split.labels.subarray(start, end));
    const result = model.evaluate(batch);
    sumLoss += result.loss * (end - start);
    correct += result.correct;
  }
  return { loss: sumLoss / n, accuracy: correct / n };
}
