/**
 * The training worker: holds the data set (decoded once from the transferred batch files) and
 * the wasm backend, and runs core's TrainingSession a step (or an evaluation chunk) at a time,
 * yielding to its message loop in between so that pause, resume and reset take effect within
 * one step. Progress goes to the page as WorkerToPage messages.
 */

import { data, DataError, loadBackend, train, type Backend } from '@dlp/core/browser';
import type { PageToWorker, RunSettings, WorkerToPage } from './protocol.js';
import { createRun, predictTestImages, type Run } from './session.js';
import { yieldToEventLoop } from './yield.js';

/** The worker's global scope, typed by hand: the webworker lib cannot share a program with the page's DOM lib. */
const scope = globalThis as unknown as {
  postMessage(message: WorkerToPage, transfer: Transferable[]): void;
  onmessage: ((event: MessageEvent<PageToWorker>) => void) | null;
};

/** Test images shown in the page's prediction grid. */
const GRID_IMAGES = 16;

const post = (message: WorkerToPage, transfer: Transferable[] = []) => scope.postMessage(message, transfer);
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Thrown inside a run's loop when the page resets it; ends the loop silently. */
class Cancelled extends Error {}

/** One training run and its pause/cancel flags, checked by the loop between steps and chunks. */
class Controller {
  constructor(readonly run: number) {}
  paused = false;
  cancelled = false;
  evaluating = false;
  #wake: (() => void) | undefined;

  pause(): void {
    if (this.paused) return;
    this.paused = true;
    post({ type: 'state', run: this.run, state: 'paused' });
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    post({ type: 'state', run: this.run, state: this.evaluating ? 'evaluating' : 'training' });
    this.#wake?.();
  }

  cancel(): void {
    this.cancelled = true;
    this.#wake?.();
  }

  /** Lets queued messages in, then waits while paused; throws Cancelled after a reset. */
  async checkpoint(): Promise<void> {
    await yieldToEventLoop();
    while (this.paused && !this.cancelled) await new Promise<void>((wake) => (this.#wake = wake));
    this.#wake = undefined;
    if (this.cancelled) throw new Cancelled();
  }
}

let backend: Promise<Backend> | undefined;
let cifar: data.Cifar10 | undefined;
let current: Controller | undefined;

async function runLoop(run: Run, control: Controller, dataset: data.Cifar10): Promise<void> {
  const { session } = run;
  const id = control.run;
  let evalSeconds = 0;
  post({ type: 'state', run: id, state: 'training' });
  while (!session.done) {
    await control.checkpoint();
    const info = session.trainStep();
    post({ type: 'step', run: id, ...info });
    if (!session.evaluationDue) continue;
    control.evaluating = true;
    post({ type: 'state', run: id, state: 'evaluating' });
    const evaluation = session.evaluation();
    let record: train.EvalRecord | undefined;
    post({ type: 'eval-progress', run: id, step: session.step, evaluated: 0, total: evaluation.total });
    while (record === undefined) {
      await control.checkpoint();
      const t = performance.now();
      record = evaluation.next();
      evalSeconds += (performance.now() - t) / 1000;
      post({ type: 'eval-progress', run: id, step: session.step, evaluated: evaluation.evaluated, total: evaluation.total });
    }
    const predictions = predictTestImages(run, dataset, GRID_IMAGES);
    post({ type: 'eval', run: id, record, evalSeconds, predictions }, [predictions.pixels.buffer, predictions.probs.buffer]);
    control.evaluating = false;
    if (!session.done) post({ type: 'state', run: id, state: 'training' });
  }
  const result = session.result();
  post({ type: 'done', run: id, final: result.final, trainSeconds: result.trainSeconds, evalSeconds: result.evalSeconds });
}

async function start(id: number, settings: RunSettings): Promise<void> {
  if (!cifar) throw new DataError('no data yet: load CIFAR-10 first');
  const dataset = cifar;
  current?.cancel();
  const control = (current = new Controller(id));
  const run = createRun(dataset, settings, await backend!);
  try {
    await runLoop(run, control, dataset);
  } catch (error) {
    if (error instanceof Cancelled) return;
    throw error;
  } finally {
    if (current === control) current = undefined;
  }
}

function receiveData(message: Extract<PageToWorker, { type: 'data' }>): void {
  try {
    cifar = data.cifar10FromBytes({ train: message.train, test: message.test, source: message.source });
  } catch (error) {
    post({ type: 'data-error', message: messageOf(error) });
    return;
  }
  // The raw files die here: from now on the set lives once, as the two uint8 splits.
  post({ type: 'data-ready', train: cifar.train.length, test: cifar.test.length, classNames: [...cifar.classNames] });
}

scope.onmessage = (event) => {
  const message = event.data;
  switch (message.type) {
    case 'init':
      backend = loadBackend('wasm', { wasmUrl: message.wasmUrl });
      backend.then(
        (b) => post({ type: 'backend', describe: b.describe(), threads: b.threads }),
        (error: unknown) => post({ type: 'error', message: `could not load the wasm backend: ${messageOf(error)}` }),
      );
      break;
    case 'data':
      receiveData(message);
      break;
    case 'start':
      start(message.run, message.settings).catch((error: unknown) => post({ type: 'error', run: message.run, message: messageOf(error) }));
      break;
    case 'pause':
      current?.pause();
      break;
    case 'resume':
      current?.resume();
      break;
    case 'reset':
      current?.cancel();
      current = undefined;
      break;
  }
};
