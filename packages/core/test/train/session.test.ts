// The training loop one step at a time (TrainingSession, what a browser worker drives between
// pause clicks) against trainLoop (what the CLI runs): the same evaluations, to the last bit, and
// clear errors when a step or an evaluation is asked for out of turn.
import { describe, expect, it } from 'vitest';
import { ArgumentError, getBackend, Rng, train } from '../../src/index.js';
import { cifar10FromBytes } from '../../src/data/cifar10-bytes.js';
import { batchBytes } from '../data/helpers.js';

const RECORDS = 6;
const data = cifar10FromBytes(
  { train: [0, 1, 2, 3, 4].map((f) => batchBytes(f, RECORDS)), test: batchBytes(5, RECORDS) },
  { expectedRecords: RECORDS },
);
const backend = getBackend('js');
const setup = train.getSetup('1');
const options = (seed: number) => ({
  model: setup.build({ backend, rng: new Rng(seed), lr: 1e-3 }),
  train: data.train,
  test: data.test,
  mean: data.mean,
  steps: 7,
  batchSize: 4,
  evalFreq: 3,
  seed: 5,
});

describe('TrainingSession', () => {
  it('evaluates when trainLoop does, with identical records', () => {
    const loop = train.trainLoop(options(42));
    const session = new train.TrainingSession(options(42));
    const records: train.EvalRecord[] = [];
    const steps: number[] = [];
    while (!session.done) {
      steps.push(session.trainStep().step);
      if (session.evaluationDue) records.push(session.evaluate());
    }
    expect(steps).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(records.map((r) => r.step)).toEqual([1, 4, 7]);
    expect(records).toEqual(loop.evals);
    expect(session.result().final).toEqual(loop.final);
  });

  it('refuses a step while an evaluation is due, an evaluation that is not, and a step past the end', () => {
    const session = new train.TrainingSession({ ...options(1), steps: 1 });
    expect(() => session.result()).toThrow(ArgumentError);
    expect(() => session.evaluate()).toThrow('no evaluation is due');
    session.trainStep();
    expect(session.evaluationDue).toBe(true);
    expect(() => session.trainStep()).toThrow('an evaluation is due before the next step');
    session.evaluate();
    expect(session.done).toBe(true);
    expect(() => session.trainStep()).toThrow('all 1 steps are done');
  });

  it('checks its options as trainLoop does', () => {
    expect(() => new train.TrainingSession({ ...options(1), steps: 0 })).toThrow('steps must be a positive integer, got 0');
  });

  it('evaluates a chunk at a time to the same records, reporting progress, and evaluate() finishes a begun one', () => {
    const whole = new train.TrainingSession({ ...options(42), evalChunk: 4 });
    const chunked = new train.TrainingSession({ ...options(42), evalChunk: 4 });
    const progress: Array<[number, number]> = [];
    while (!chunked.done) {
      whole.trainStep();
      chunked.trainStep();
      if (!chunked.evaluationDue) continue;
      const want = whole.evaluate();
      const evaluation = chunked.evaluation();
      let record: train.EvalRecord | undefined;
      while (record === undefined) {
        record = evaluation.next();
        progress.push([evaluation.evaluated, evaluation.total]);
      }
      expect(record).toEqual(want);
      expect(() => evaluation.next()).toThrow('this evaluation is finished');
    }
    // 6 test images in chunks of 4: two chunks per evaluation, three evaluations.
    expect(progress).toEqual([[4, 6], [6, 6], [4, 6], [6, 6], [4, 6], [6, 6]]);
    expect(chunked.result().evals).toEqual(whole.result().evals);

    const begun = new train.TrainingSession({ ...options(42), evalChunk: 4 });
    begun.trainStep();
    expect(begun.evaluation().next()).toBeUndefined();
    expect(begun.evaluation().evaluated).toBe(4);
    expect(begun.evaluate()).toEqual(whole.result().evals[0]);
    expect(() => begun.evaluation()).toThrow('no evaluation is due');
  });
});
