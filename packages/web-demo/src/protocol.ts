/**
 * The messages between the page (main.ts) and the training worker (worker.ts). The page never
 * trains: it sends the data once (its ArrayBuffers transferred, not copied) and commands; the
 * worker answers with progress. Types only, shared by both sides.
 */

import type { train } from '@dlp/core/browser';

/** What one run trains: a setup of the registry, with the CLI's flags as overrides. */
export interface RunSettings {
  setup: string;
  steps: number;
  batchSize: number;
  lr: number;
  evalFreq: number;
}

export type PageToWorker =
  /** The folder holding the wasm builds (dist/wasm/), as a URL the worker can fetch. */
  | { type: 'init'; wasmUrl: string }
  /** The six batch files' bytes (data_batch_1..5, test_batch): transferred, then owned by the worker. */
  | { type: 'data'; train: Uint8Array[]; test: Uint8Array; source: string }
  /** `run` numbers the run: every message about it carries it, so a reset run's late messages are told apart. */
  | { type: 'start'; run: number; settings: RunSettings }
  | { type: 'pause' }
  | { type: 'resume' }
  /** Drop the run (the data stays), ready for another start; nothing more comes about it. */
  | { type: 'reset' };

/** The model's view of a few test images at an evaluation, for the prediction grid. */
export interface Predictions {
  /** Test-set indices of the images. */
  indices: number[];
  labels: number[];
  /** rows × 3072 bytes, CHW like the batch files. */
  pixels: Uint8Array;
  /** rows × classes softmax probabilities. */
  probs: Float32Array;
}

export interface StepMessage {
  type: 'step';
  run: number;
  step: number;
  steps: number;
  loss: number;
  accuracy: number;
  /** Seconds in training steps so far (evaluations excluded), as the CLI's steps/s uses. */
  trainSeconds: number;
}

export type WorkerToPage =
  | { type: 'backend'; describe: string; threads: number }
  | { type: 'data-ready'; train: number; test: number; classNames: string[] }
  /** Bad data (a DataError from decoding): the page asks for other files. */
  | { type: 'data-error'; message: string }
  | { type: 'state'; run: number; state: 'training' | 'paused' | 'evaluating' }
  | StepMessage
  | { type: 'eval-progress'; run: number; step: number; evaluated: number; total: number }
  | { type: 'eval'; run: number; record: train.EvalRecord; evalSeconds: number; predictions: Predictions }
  | { type: 'done'; run: number; final: train.EvalRecord; trainSeconds: number; evalSeconds: number }
  /** Something went wrong (backend load: no run; divergence, a bug: the run stops). */
  | { type: 'error'; run?: number; message: string };
