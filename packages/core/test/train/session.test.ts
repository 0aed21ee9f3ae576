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
});
