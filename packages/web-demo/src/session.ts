/**
 * A training run wired exactly as `dlp train --setup NAME` wires it (core's train/run.ts,
 * runExperiment): the model from the setup registry seeded with the CLI's default seed, the
 * batch shuffles on their own stream (seed + 1_000_003), the setup's evaluation chunk, and
 * core's TrainingSession as the loop. test/session-parity.test.ts holds the two together.
 */

import { ArgumentError, Rng, train, type Backend, type data } from '@dlp/core/browser';
import type { RunSettings } from './protocol.js';

/** `dlp train`'s default `--seed`. */
export const SEED = 42;
/** runExperiment's offset of the shuffle stream from the weights' stream. */
export const SHUFFLE_SEED_OFFSET = 1_000_003;

export interface Run {
  setup: train.SetupPreset;
  model: train.Trainable;
  session: train.TrainingSession;
}

/**
 * Builds the model and the session for `settings` on `cifar`.
 * @throws ArgumentError for an unknown setup, a batch larger than the training set, or
 *   settings TrainingSession refuses
 */
export function createRun(cifar: data.Cifar10, settings: RunSettings, backend: Backend, seed = SEED): Run {
  const setup = train.getSetup(settings.setup);
  if (settings.batchSize > cifar.train.length) {
    throw new ArgumentError(`batch size ${settings.batchSize} is larger than the training set (${cifar.train.length})`);
  }
  const model = setup.build({ backend, rng: new Rng(seed), lr: settings.lr });
  const session = new train.TrainingSession({
    model,
    train: cifar.train,
    test: cifar.test,
    mean: cifar.mean,
    steps: settings.steps,
    batchSize: settings.batchSize,
    evalFreq: settings.evalFreq,
    seed: seed + SHUFFLE_SEED_OFFSET,
    ...(setup.evalChunk !== undefined ? { evalChunk: setup.evalChunk } : {}),
  });
  return { setup, model, session };
}

/** The first `count` test images with the model's class probabilities, for the prediction grid. */
export function predictTestImages(run: Run, cifar: data.Cifar10, count: number) {
  const n = Math.min(count, cifar.test.length);
  const indices = Uint32Array.from({ length: n }, (_, i) => i);
  const labels = cifar.test.labels.slice(0, n);
  const probs = run.model.predict(train.imageBatch(cifar.test, cifar.mean, indices, labels));
  return { indices: Array.from(indices), labels: Array.from(labels), pixels: cifar.test.pixels.slice(0, n * 3072), probs };
}
