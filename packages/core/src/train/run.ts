/**
 * Runs one experiment end to end, as `dlp train` does: data, model from the preset (flags
 * override it), the training loop, and the run folder — config.json first, metrics.jsonl
 * rewritten atomically at every evaluation (so a crash or divergence loses nothing already
 * measured), then model.safetensors and the loss/accuracy plots.
 */

import { getBackend } from '../backends/registry.js';
import type { Backend } from '../backends/backend.js';
import { openCifar10 } from '../data/resolve.js';
import type { DownloadProgress } from '../data/resolve.js';
import { ArgumentError, MissingDependencyError } from '../errors.js';
import { writeFileAtomicSync } from '../io/atomic-write.js';
import { createRunDir, type RunDir } from '../io/run-dir.js';
import { saveSafetensors, type SafetensorsTensors } from '../io/safetensors.js';
import { writeTrainingPlots } from '../plot/render-png.js';
import { Rng } from '../random.js';
import type { Tensor } from '../tensor.js';
import { trainLoop, type EvalRecord, type StepInfo } from './loop.js';
import { getSetup, type SetupHyperparameters } from './setups.js';

export interface RunOptions extends Partial<SetupHyperparameters> {
  setup: string;
  seed?: number;
  /** native, wasm, js, or auto (default: the fastest that loads here). */
  backend?: string;
  dataDir?: string;
  /** Run folder; default runs/<setup>-<timestamp>. */
  out?: string;
  onEval?: (record: EvalRecord) => void;
  onStep?: (info: StepInfo) => void;
  onDownload?: DownloadProgress;
  /** Called once the data is loaded and the model built, before the first step. */
  onStart?: (info: { config: RunConfig; runDir: RunDir; backend: Backend }) => void;
}

/** What config.json holds: everything needed to run the same experiment again. */
export interface RunConfig extends SetupHyperparameters {
  setup: string;
  description: string;
  seed: number;
  backend: string;
  backend_detail: string;
  data_dir: string;
  architecture: Record<string, unknown>;
  reference_test_accuracy: number;
  started_at: string;
}

/** The `done` event of `--json`. */
export interface DoneRecord {
  event: 'done';
  setup: string;
  steps: number;
  test_accuracy: number;
  test_loss: number;
  wall_s: number;
  train_steps_per_s: number;
  backend: string;
}

export interface RunResult {
  done: DoneRecord;
  evals: EvalRecord[];
  runDir: RunDir;
  config: RunConfig;
}

function positiveNumber(name: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
    throw new ArgumentError(`${name} must be a positive number, got ${value}`);
  }
}

function positiveInteger(name: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isInteger(value) && value > 0)) {
    throw new ArgumentError(`${name} must be a positive integer, got ${value}`);
  }
}

/** Checks the overrides before anything slow happens (data loading, folders). */
function resolveHyperparameters(options: RunOptions, defaults: SetupHyperparameters): SetupHyperparameters {
  positiveInteger('--steps', options.steps);
  positiveInteger('--batch-size', options.batchSize);
  positiveInteger('--eval-freq', options.evalFreq);
  positiveNumber('--lr', options.lr);
  return {
    steps: options.steps ?? defaults.steps,
    batchSize: options.batchSize ?? defaults.batchSize,
    lr: options.lr ?? defaults.lr,
    evalFreq: options.evalFreq ?? defaults.evalFreq,
  };
}

/** Plain float32 copies of the state dict, in safetensors' form. */
function toSafetensors(state: Record<string, Tensor>): SafetensorsTensors {
  return Object.fromEntries(
    Object.entries(state).map(([name, t]) => [
      name,
      { dtype: t.dtype === 'float64' ? 'F64' : 'F32', shape: [...t.shape], data: t.toArray() },
    ]),
  ) as SafetensorsTensors;
}

export async function runExperiment(options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const setup = getSetup(options.setup);
  const hp = resolveHyperparameters(options, setup.defaults);
  const seed = options.seed ?? 42;
  if (!Number.isSafeInteger(seed)) throw new ArgumentError(`--seed must be an integer, got ${seed}`);
  const backend = getBackend(options.backend ?? 'auto');

  const cifar = await openCifar10({
    ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
    ...(options.onDownload ? { onProgress: options.onDownload } : {}),
  });
  if (hp.batchSize > cifar.train.length) {
    throw new ArgumentError(`--batch-size ${hp.batchSize} is larger than the training set (${cifar.train.length})`);
  }
  const model = setup.build({ backend, rng: new Rng(seed), lr: hp.lr });

  const runDir = createRunDir(options.out, setup.name);
  const config: RunConfig = {
    setup: setup.name,
    description: setup.description,
    ...hp,
    seed,
    backend: backend.name,
    backend_detail: backend.describe(),
    data_dir: cifar.dir,
    architecture: setup.architecture,
    reference_test_accuracy: setup.referenceAccuracy,
    started_at: new Date().toISOString(),
  };
  writeFileAtomicSync(runDir.config, `${JSON.stringify(config, null, 2)}\n`);
  writeFileAtomicSync(runDir.metrics, '');
  options.onStart?.({ config, runDir, backend });

  const lines: string[] = [];
  const evals: EvalRecord[] = [];
  const title = `dlp setup ${setup.name} (${backend.name})`;
  try {
    const result = trainLoop({
      model,
      train: cifar.train,
      test: cifar.test,
      mean: cifar.mean,
      ...hp,
      // A stream of its own for the shuffles, apart from the weights' stream.
      seed: seed + 1_000_003,
      ...(setup.evalChunk !== undefined ? { evalChunk: setup.evalChunk } : {}),
      onEval: (record) => {
        evals.push(record);
        lines.push(JSON.stringify(record));
        // Synchronous and atomic: the loop blocks the event loop, and a reader (or a crash)
        // must only ever see whole lines.
        writeFileAtomicSync(runDir.metrics, `${lines.join('\n')}\n`);
        options.onEval?.(record);
      },
      ...(options.onStep ? { onStep: options.onStep } : {}),
    });
    const done: DoneRecord = {
      event: 'done',
      setup: setup.name,
      steps: hp.steps,
      test_accuracy: result.final.test_accuracy,
      test_loss: result.final.test_loss,
      wall_s: (performance.now() - started) / 1000,
      train_steps_per_s: hp.steps / result.trainSeconds,
      backend: backend.name,
    };
    await saveSafetensors(runDir.model, toSafetensors(model.stateDict()), {
      format: 'pt',
      setup: setup.name,
      steps: String(hp.steps),
      test_accuracy: String(done.test_accuracy),
    });
    return { done, evals, runDir, config };
  } finally {
    // Plots of whatever was measured, also when training stopped early. Without the optional
    // @napi-rs/canvas the run still counts: one line says what is missing.
    if (evals.length > 0) {
      try {
        await writeTrainingPlots(runDir.dir, evals, { title });
      } catch (error) {
        if (!(error instanceof MissingDependencyError)) throw error;
        console.warn(`dlp: loss.png and accuracy.png not drawn: ${error.message}`);
      }
    }
  }
}
