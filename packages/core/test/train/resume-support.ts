/**
 * What the resume tests share: a small CIFAR-10 in memory, a tiny setup with every kind of state
 * a checkpoint must carry (BatchNorm buffers, Adam moments, a Dropout generator, chunked
 * evaluation), and one check: a run stopped in a given way and then resumed ends with the same
 * losses at every step, the same evaluations, metrics.jsonl and model.safetensors, to the bit,
 * as the uninterrupted run.
 */

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { models, nn, optim, Rng, train } from '../../src/index.js';
import { cifar10FromBytes } from '../../src/data/cifar10-bytes.js';
import { batchBytes } from '../data/helpers.js';

const RECORDS = 8;
/** 40 training images (10 batches of 4: the order is reshuffled every 10 steps) and 8 test images. */
export const data = cifar10FromBytes(
  { train: [0, 1, 2, 3, 4].map((f) => batchBytes(f, RECORDS)), test: batchBytes(5, RECORDS), source: 'synthetic' },
  { expectedRecords: RECORDS },
);

/** BatchNorm + Linear + ELU + Dropout + Linear, Adam; evaluation in chunks of 3 test images. */
train.registerSetup({
  name: 'tiny-resume',
  description: 'test setup: BatchNorm, Dropout, Adam',
  defaults: { steps: 30, batchSize: 4, lr: 1e-2, evalFreq: 7 },
  referenceAccuracy: 0,
  pytorchAccuracyHere: 0,
  architecture: { kind: 'test' },
  evalChunk: 3,
  build: ({ backend, rng, lr }) => {
    const model = new models.MlpClassifier({ inputs: 3072, hidden: [16], classes: 10, norm: 'batchnorm', activation: 'elu' }, { backend, rng });
    const withDropout = new nn.Sequential(model, new nn.Dropout(0.3, { rng: new Rng(rng.nextUint32()) }));
    return new train.AutogradTrainer(withDropout, new optim.Adam(withDropout.parameters(), { lr }), { backend });
  },
});

const made: string[] = [];
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
export function tempDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `dlp-resume-${name}-`));
  made.push(dir);
  return join(dir, 'run');
}

/** How a run is stopped: an abort from onEval or onStep after `step`, or an exception (a crash) in onStep. */
export type Stop = { at: 'eval' | 'step' | 'crash'; step: number };

interface Finished {
  result: train.RunResult;
  /** Loss of every step, by step number (1-based). */
  losses: Map<number, number>;
  dir: string;
}

type Settings = Pick<train.RunOptions, 'setup' | 'backend' | 'steps' | 'evalFreq' | 'batchSize'>;

async function straightRun(settings: Settings): Promise<Finished> {
  const dir = tempDir('straight');
  const losses = new Map<number, number>();
  const result = await train.runExperiment({ ...settings, data, out: dir, onStep: (s) => losses.set(s.step, s.loss) });
  return { result, losses, dir };
}

/** Runs until `stop`, checks what was left, then resumes to the end. */
async function stoppedAndResumed(settings: Settings, stop: Stop): Promise<Finished & { resumedAt: number }> {
  const dir = tempDir(`${stop.at}-${stop.step}`);
  const losses = new Map<number, number>();
  const controller = new AbortController();
  const first = train.runExperiment({
    ...settings,
    data,
    out: dir,
    signal: controller.signal,
    onStep: (s) => {
      losses.set(s.step, s.loss);
      if (s.step !== stop.step) return;
      if (stop.at === 'step') controller.abort('test');
      if (stop.at === 'crash') throw new Error('simulated crash');
    },
    onEval: (r) => {
      if (stop.at === 'eval' && r.step === stop.step) controller.abort('test');
    },
  });
  if (stop.at === 'crash') {
    await expect(first).rejects.toThrow('simulated crash');
  } else {
    const error = await first.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(train.TrainingInterruptedError);
    expect(error).toMatchObject({ step: stop.step, steps: settings.steps, reason: 'test' });
  }
  let resumedAt = -1;
  const resumed = new Map<number, number>();
  const result = await train.runExperiment({
    resume: dir,
    data,
    onStart: (info) => (resumedAt = info.resumedAt ?? -1),
    onStep: (s) => resumed.set(s.step, s.loss),
  });
  // Steps run again after a crash (those past its last checkpoint) must give the same losses.
  for (const [step, loss] of resumed) {
    if (losses.has(step)) expect(loss, `step ${step}, run again`).toBe(losses.get(step));
    losses.set(step, loss);
  }
  return { result, losses, dir, resumedAt };
}

/**
 * Runs `settings` straight through, then once per stop; every stopped-and-resumed run must
 * match the straight one to the bit.
 */
export async function expectResumeIdentical(settings: Settings, stops: Stop[]): Promise<void> {
  const straight = await straightRun(settings);
  const steps = settings.steps!;
  expect(straight.losses.size).toBe(steps);
  const bytes = (dir: string, file: string) => readFileSync(join(dir, file));
  for (const stop of stops) {
    const run = await stoppedAndResumed(settings, stop);
    const label = `${stop.at} at step ${stop.step}`;
    // A crash resumes from the last evaluation before it; a stop from where it stopped.
    const lastEval = Math.max(...straight.result.evals.map((e) => e.step).filter((s) => s <= stop.step));
    expect(run.resumedAt, label).toBe(stop.at === 'crash' ? lastEval : stop.step);
    expect([...run.losses.entries()].sort((a, b) => a[0] - b[0]), label).toEqual([...straight.losses.entries()].sort((a, b) => a[0] - b[0]));
    expect(run.result.evals, label).toEqual(straight.result.evals);
    const { wall_s: _w1, train_steps_per_s: _t1, ...done } = run.result.done;
    const { wall_s: _w2, train_steps_per_s: _t2, ...want } = straight.result.done;
    expect(done, label).toEqual(want);
    expect(run.result.done.train_steps_per_s, label).toBeGreaterThan(0);
    expect(bytes(run.dir, 'metrics.jsonl').toString(), label).toBe(bytes(straight.dir, 'metrics.jsonl').toString());
    expect(bytes(run.dir, 'model.safetensors').equals(bytes(straight.dir, 'model.safetensors')), `${label}: model.safetensors`).toBe(true);
    expect(JSON.parse(bytes(run.dir, 'config.json').toString()).setup, label).toBe(settings.setup);
  }
}
