// driveSession, the async loop runExperiment runs: the same steps and evaluations as trainLoop,
// with or without callbacks; it gives the event loop turns during a run (a callback queued
// from outside runs before the run ends) and stops between steps once its signal is aborted.
import { describe, expect, it } from 'vitest';
import { getBackend, Rng, train } from '../../src/index.js';
import { data } from './resume-support.js';

const backend = getBackend('js');
const options = () => ({
  model: train.getSetup('1').build({ backend, rng: new Rng(3), lr: 1e-3 }),
  train: data.train,
  test: data.test,
  mean: data.mean,
  steps: 12,
  batchSize: 4,
  evalFreq: 5,
  seed: 8,
});

describe('driveSession', () => {
  it('runs what trainLoop runs, with and without callbacks', async () => {
    const calls: string[] = [];
    const loop = train.trainLoop({ ...options(), onStep: (s) => calls.push(`step ${s.step} ${s.loss}`), onEval: (e) => calls.push(`eval ${e.step}`) });
    const bare = new train.TrainingSession(options());
    expect(await train.driveSession(bare)).toBe(true);
    expect(bare.result().evals).toEqual(loop.evals);
    const driven: string[] = [];
    const session = new train.TrainingSession(options());
    await train.driveSession(session, { onStep: (s) => driven.push(`step ${s.step} ${s.loss}`), onEval: (e) => driven.push(`eval ${e.step}`) });
    expect(driven).toEqual(calls);
  });

  it('lets queued callbacks run during the run, and stops between steps when aborted', async () => {
    const controller = new AbortController();
    const session = new train.TrainingSession(options());
    let stepsWhenAborted = -1;
    setImmediate(() => {
      stepsWhenAborted = session.step;
      controller.abort();
    });
    expect(await train.driveSession(session, { signal: controller.signal, yieldMs: 0 })).toBe(false);
    expect(stepsWhenAborted).toBeGreaterThanOrEqual(0);
    expect(stepsWhenAborted).toBeLessThan(12);
    expect(session.done).toBe(false);
    // It stopped at the first boundary after the abort: the step it was in, or the evaluation chunk.
    expect(session.step - stepsWhenAborted).toBeLessThanOrEqual(1);
  });
});
