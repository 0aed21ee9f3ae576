/**
 * Runs one experiment end to end, as `dlp train` does: data, model from the preset (flags
 * override it), the training loop, and the run folder — config.json first; at every evaluation
 * metrics.jsonl and checkpoint.safetensors, each replaced atomically (so a crash or divergence
 * loses nothing already measured, and the run can be resumed from its last evaluation); at the
 * end model.safetensors and the loss/accuracy plots.
 *
 * `resume` continues a run from its checkpoint with the settings of its config.json, to the same
 * losses, step for step and bit for bit, as had it never stopped. `signal` stops a run between
 * two steps, saving a checkpoint, the metrics, the model and the plots first.
 */

import { getBackend } from '../backends/registry.js';
import type { Backend } from '../backends/backend.js';
import type { Cifar10 } from '../data/cifar10-split.js';
import { degenerateDataProblem } from '../data/degenerate.js';
import { openCifar10 } from '../data/resolve.js';
import type { DownloadProgress } from '../data/resolve.js';
import { ArgumentError, DataError, DlpError, MissingDependencyError } from '../errors.js';
import { writeFileAtomicSync } from '../io/atomic-write.js';
import { checkRunDir, createRunDir, type RunDir, type RunDirMode } from '../io/run-dir.js';
import { loadWeights } from '../io/load-weights.js';
import { encodeSafetensors } from '../io/safetensors.js';
import { nodeBuiltins } from '../node-builtins.js';
import { writeTrainingPlots } from '../plot/render-png.js';
import { Rng } from '../random.js';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint.js';
import { driveSession } from './drive-session.js';
import { TrainingSession, type EvalRecord, type StepInfo } from './loop.js';
import {
  checkResumeOptions,
  checkSameData,
  dataFingerprint,
  readRunConfig,
  resolveHyperparameters,
  type RunConfig,
  type SettingOptions,
} from './run-settings.js';
import { getSetup, setupNames } from './setups.js';
import { AutogradTrainer } from './autograd-trainer.js';
import type { Communicator } from '../distributed/communicator.js';
import { DataParallel } from '../distributed/data-parallel.js';
import { mpiCommunicator } from '../distributed/mpi.js';
import { ncclCommunicator } from '../distributed/nccl.js';
import { shareBytes } from '../distributed/share.js';

/** The setups that take pretrained weights (those with a head to replace). */
const transferSetups = () => setupNames().filter((name) => getSetup(name).head !== undefined).join(', ');
import type { Trainable } from './trainable.js';

export type { RunConfig } from './run-settings.js';

export interface RunOptions extends SettingOptions {
  /** The setup to run; required unless `resume` is given (the run's config.json names it). */
  setup?: string;
  seed?: number;
  /** cuda, native, wasm, js, or auto (default: the fastest that loads here). */
  backend?: string;
  dataDir?: string;
  /** CIFAR-10 already in memory (data.openCifar10, data.cifar10FromBytes): used instead of `dataDir`. */
  data?: Cifar10;
  /** Run folder; default runs/<setup>-<timestamp>. A non-empty one is refused unless `overwrite` or `resume`. */
  out?: string;
  /**
   * Pretrained weights to start from (a `.safetensors` or PyTorch `.pth`/`.pt` file with
   * PyTorch's names, e.g. torchvision's DenseNet-121): the features are loaded, a head of another
   * size stays freshly initialised. Only the setups made for transfer take it (densenet121, convnet).
   */
  weights?: string;
  /** Train only the head: the loaded features stay as they are. */
  freezeFeatures?: boolean;
  /**
   * Train on a degenerate data set (every label one class, or all-zero images: see
   * data.degenerateDataProblem), which is refused by default since nothing can be learned from it.
   */
  allowDegenerateData?: boolean;
  /** Delete the files a run writes from a non-empty `out` first (other files stay). */
  overwrite?: boolean;
  /**
   * A run folder to continue from its last checkpoint (written at each evaluation, or when a run
   * was stopped): settings come from its config.json, options that contradict them are refused;
   * metrics.jsonl, the plots and the done record cover the whole run.
   */
  resume?: string;
  /**
   * Stops the run at the next step boundary once aborted: the checkpoint, metrics, model and
   * plots are written, then runExperiment rejects with {@link TrainingInterruptedError}.
   */
  signal?: AbortSignal;
  onEval?: (record: EvalRecord) => void;
  onStep?: (info: StepInfo) => void;
  onDownload?: DownloadProgress;
  /**
   * Data-parallel training (`mpirun -n N dlp train … --distributed mpi`): 'mpi' (Open MPI
   * through the native addon), 'nccl' (the cuda backend's gradients summed by NCCL on the GPUs,
   * the rest over MPI) or a Communicator. Rank 0 runs runExperiment, the others runWorker.
   */
  distributed?: 'mpi' | 'nccl' | Communicator;
  /** Called once the data is loaded and the model built (and restored), before the next step. */
  onStart?: (info: { config: RunConfig; runDir: RunDir; backend: Backend; resumedAt?: number }) => void;
}

/**
 * The batch order's generator is seeded with `seed + SHUFFLE_SEED_OFFSET`, a stream apart from
 * the weights' (whose generator also seeds the Dropout layers': from its draws, not by adding).
 */
export const SHUFFLE_SEED_OFFSET = 1_000_003;
/** The largest seed whose derived seeds are all safe integers (2^53 − 1 − the offset). */
export const MAX_SEED = Number.MAX_SAFE_INTEGER - SHUFFLE_SEED_OFFSET;
/** The smallest seed accepted (−(2^53 − 1): adding the offset only moves it up). */
export const MIN_SEED = Number.MIN_SAFE_INTEGER;

/** Refuses a seed from which a derived seed would not be a safe integer, before anything is done. */
export function checkSeed(seed: number): void {
  if (!Number.isSafeInteger(seed) || seed > MAX_SEED || seed < MIN_SEED) {
    throw new ArgumentError(
      `--seed must be an integer from ${MIN_SEED} to ${MAX_SEED} (the largest seed accepted: the batch order uses seed + ${SHUFFLE_SEED_OFFSET}), got ${seed}`,
    );
  }
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

/** The run was stopped through RunOptions.signal; its folder holds what is needed to resume it. */
export class TrainingInterruptedError extends DlpError {
  override readonly name = 'TrainingInterruptedError';
  constructor(
    /** Steps done (the checkpoint's). */
    readonly step: number,
    readonly steps: number,
    /** The run folder, absolute: `--resume` it. */
    readonly runDir: string,
    /** The signal's abort reason (the CLI gives the signal's name). */
    readonly reason: unknown,
  ) {
    super(`training stopped at step ${step} of ${steps}; checkpoint, metrics, model and plots are in ${runDir}`);
  }
}

/** A new run's settings, or a resumed run's (from its config.json), checked before anything slow. */
function planRun(options: RunOptions, parallel?: DataParallel) {
  // Rank 0 alone owns the run folder: it checks and reads it, and the other ranks get what it read.
  const ownsRunDir = parallel === undefined || parallel.rank === 0;
  if (options.resume === undefined) {
    if (options.setup === undefined) throw new ArgumentError('--setup is required (or --resume a run folder)');
    const { path } = nodeBuiltins('runExperiment');
    const setup = getSetup(options.setup);
    // Before anything is read: a setup without a head to replace takes no pretrained weights.
    if (setup.head === undefined && (options.weights !== undefined || options.freezeFeatures === true)) {
      throw new ArgumentError(`setup '${setup.name}' does not take ${options.weights !== undefined ? '--weights' : '--freeze-features'}: only ${transferSetups()} do`);
    }
    const hp = resolveHyperparameters(options, setup.defaults);
    const seed = options.seed ?? 42;
    checkSeed(seed);
    const backend = getBackend(options.backend ?? 'auto');
    const mode: RunDirMode = options.overwrite === true ? 'overwrite' : 'new';
    if (options.out !== undefined && ownsRunDir) checkRunDir(options.out, mode);
    const weights = options.weights === undefined ? undefined : path.resolve(options.weights);
    return { setup, hp, seed, backend, mode, out: options.out, dataDir: options.dataDir, saved: undefined, weights, freezeFeatures: options.freezeFeatures === true };
  }
  const dir = options.resume;
  if (options.overwrite === true) throw new ArgumentError('--overwrite and --resume contradict each other: give one');
  let saved: RunConfig;
  if (ownsRunDir) {
    checkRunDir(dir, 'resume');
    saved = readRunConfig(dir, `--resume ${dir}`);
    if (parallel) shareBytes(parallel.communicator, new TextEncoder().encode(JSON.stringify(saved)));
  } else {
    saved = JSON.parse(new TextDecoder().decode(shareBytes(parallel!.communicator, undefined))) as RunConfig;
  }
  const setup = getSetup(saved.setup);
  const hp = resolveHyperparameters(saved, setup.defaults);
  const backend = getBackend(saved.backend);
  checkResumeOptions(options, saved, dir, options.backend === undefined ? undefined : getBackend(options.backend).name);
  const dataDir = options.dataDir ?? saved.data_dir;
  // The checkpoint holds every weight: the pretrained file is not read again (it may have moved).
  return { setup, hp, seed: saved.seed, backend, mode: 'resume' as const, out: dir, dataDir, saved, weights: undefined, freezeFeatures: saved.freeze_features === true };
}

function readCheckpointBytes(path: string): Uint8Array {
  const { fs } = nodeBuiltins('readCheckpoint');
  try {
    return fs.readFileSync(path);
  } catch (error) {
    throw new DataError(`cannot read the checkpoint ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** model.safetensors: the weights and buffers as PyTorch names them, in float32 (or float64). */
function writeModel(runDir: RunDir, model: Trainable, metadata: Record<string, string>): void {
  const tensors = Object.fromEntries(
    Object.entries(model.stateDict()).map(([name, t]) => {
      const data = t.toArray();
      return [name, data instanceof Float64Array ? { dtype: 'F64', shape: [...t.shape], data } : { dtype: 'F32', shape: [...t.shape], data: Float32Array.from(data) }];
    }),
  ) as Parameters<typeof encodeSafetensors>[0];
  writeFileAtomicSync(runDir.model, encodeSafetensors(tensors, { format: 'pt', ...metadata }));
}

/** The data-parallel engine `distributed` asks for (undefined without it). */
function dataParallelOf(options: RunOptions): DataParallel | undefined {
  const { distributed } = options;
  if (distributed === undefined) return undefined;
  if (typeof distributed === 'object') return new DataParallel(distributed);
  if (distributed === 'mpi') return new DataParallel(mpiCommunicator());
  if (distributed === 'nccl') return new DataParallel(ncclCommunicator(getBackend(options.backend ?? 'auto'), mpiCommunicator()));
  throw new ArgumentError(`--distributed must be mpi or nccl, got ${String(distributed)}`);
}

/**
 * Everything before a run's first step: its settings, the data, the model (data-parallel where
 * asked: rank 0's weights broadcast, this rank's shard of each batch) and the training session.
 */
async function prepareRun(options: RunOptions, parallel: DataParallel | undefined) {
  const plan = planRun(options, parallel);
  const { setup, hp, seed, backend } = plan;
  if (parallel && hp.batchSize < parallel.size) {
    throw new ArgumentError(`--batch-size ${hp.batchSize} cannot be split over ${parallel.size} processes: each needs at least one row`);
  }
  // Processes on one machine share its cores: each gets its part of the backend's threads.
  if (parallel && parallel.communicator.localSize > 1) backend.setThreads(Math.max(1, Math.floor(backend.threads / parallel.communicator.localSize)));

  // Before the data, so that a bad weight file fails at once.
  const weights = plan.weights === undefined ? undefined : (await loadWeights(plan.weights)).tensors;
  const cifar =
    options.data ??
    (await openCifar10({
      ...(plan.dataDir !== undefined ? { dataDir: plan.dataDir } : {}),
      ...(options.onDownload ? { onProgress: options.onDownload } : {}),
    }));
  const degenerate = degenerateDataProblem(cifar);
  // A resumed run keeps the permission its config.json records.
  if (degenerate !== undefined && options.allowDegenerateData !== true && plan.saved?.allow_degenerate_data !== true) {
    throw new DataError(`${cifar.dir}: ${degenerate}, so nothing can be learned from it (pass --allow-degenerate-data to train anyway)`);
  }
  if (hp.batchSize > cifar.train.length) {
    throw new ArgumentError(`--batch-size ${hp.batchSize} is larger than the training set (${cifar.train.length})`);
  }
  const fingerprint = dataFingerprint(cifar);
  const model = setup.build({
    backend,
    rng: new Rng(seed),
    lr: hp.lr,
    ...(weights ? { weights } : {}),
    ...(plan.freezeFeatures ? { freezeFeatures: true } : {}),
  });
  if (parallel) {
    if (!(model instanceof AutogradTrainer)) {
      throw new ArgumentError(`--distributed: setup '${setup.name}' trains by hand-written backprop, which is not data-parallel; the autograd setups are`);
    }
    model.enableDataParallel(parallel, hp.batchSize);
  }
  const session = new TrainingSession({
    model,
    train: cifar.train,
    test: cifar.test,
    mean: cifar.mean,
    ...hp,
    // A stream of its own for the shuffles, apart from the weights' stream.
    seed: seed + SHUFFLE_SEED_OFFSET,
    ...(setup.evalChunk !== undefined ? { evalChunk: setup.evalChunk } : {}),
    // Only rank 0 evaluates (and writes the run folder).
    ...(parallel ? { shard: { rank: parallel.rank, size: parallel.size }, evaluate: parallel.rank === 0 } : {}),
  });
  return { plan, setup, hp, seed, backend, cifar, fingerprint, model, session };
}

/** What a data-parallel rank other than 0 did (it writes nothing). */
export interface WorkerResult {
  rank: number;
  size: number;
  steps: number;
  wall_s: number;
}

/**
 * A data-parallel rank other than 0 (`distributed` given): builds the same model and session
 * as rank 0, takes its shard of every step, and stops after the last; rank 0 (runExperiment)
 * evaluates and writes the run folder.
 */
export async function runWorker(options: RunOptions): Promise<WorkerResult> {
  const started = performance.now();
  const parallel = dataParallelOf(options);
  if (!parallel || parallel.rank === 0) throw new ArgumentError('runWorker runs the data-parallel ranks other than 0; rank 0 runs runExperiment');
  const { session, hp, model, plan } = await prepareRun(options, parallel);
  if (plan.saved) {
    const checkpoint = decodeCheckpoint(shareBytes(parallel.communicator, undefined), `rank 0's checkpoint of ${plan.out}`);
    model.loadTrainerState(checkpoint.trainer);
    session.loadStateDict(checkpoint.session);
  }
  await driveSession(session, { ...(options.onStep ? { onStep: options.onStep } : {}) });
  return { rank: parallel.rank, size: parallel.size, steps: hp.steps, wall_s: (performance.now() - started) / 1000 };
}

export async function runExperiment(options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const parallel = dataParallelOf(options);
  if (parallel && parallel.rank !== 0) {
    throw new ArgumentError(`runExperiment runs rank 0 of a data-parallel job; this is rank ${parallel.rank}: call runWorker`);
  }
  const { plan, setup, hp, seed, backend, cifar, fingerprint, model, session } = await prepareRun(options, parallel);

  const runDir = createRunDir(plan.out, setup.name, { mode: plan.mode });
  const title = `dlp setup ${setup.name} (${backend.name})`;
  let wallBefore = 0;
  let failed = false;
  try {
    let config: RunConfig;
    if (plan.saved) {
      config = plan.saved;
      const bytes = readCheckpointBytes(runDir.checkpoint);
      // The other ranks resume from rank 0's checkpoint (runWorker).
      if (parallel) shareBytes(parallel.communicator, bytes);
      const checkpoint = decodeCheckpoint(bytes, runDir.checkpoint);
      checkSameData(checkpoint.run.data, fingerprint, `--resume ${plan.out}`, cifar.dir);
      model.loadTrainerState(checkpoint.trainer);
      session.loadStateDict(checkpoint.session);
      wallBefore = typeof checkpoint.run.wall_s === 'number' ? checkpoint.run.wall_s : 0;
    } else {
      config = {
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
        weights: plan.weights ?? null,
        freeze_features: plan.freezeFeatures,
        ...(options.allowDegenerateData === true ? { allow_degenerate_data: true } : {}),
        ...(parallel ? { distributed: { engine: parallel.communicator.kind, processes: parallel.size } } : {}),
      };
      writeFileAtomicSync(runDir.config, `${JSON.stringify(config, null, 2)}\n`);
    }
    const lines = session.stateDict().evals.map((record) => JSON.stringify(record));
    // Synchronous and atomic: a reader (or a crash) must only ever see whole lines. A resumed
    // run starts from its checkpoint's evaluations (a line written after it is measured again).
    const writeMetrics = () => writeFileAtomicSync(runDir.metrics, lines.length > 0 ? `${lines.join('\n')}\n` : '');
    writeMetrics();
    let checkpointStep = -1;
    const writeCheckpoint = () => {
      const state = session.stateDict();
      const run = { setup: setup.name, seed, data: fingerprint, wall_s: wallBefore + (performance.now() - started) / 1000 };
      writeFileAtomicSync(runDir.checkpoint, encodeCheckpoint({ session: state, trainer: model.trainerState(), run }));
      checkpointStep = state.evaluationDue ? -1 : state.step;
    };
    options.onStart?.({ config, runDir, backend, ...(plan.saved ? { resumedAt: session.step } : {}) });

    const finished = await driveSession(session, {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onStep ? { onStep: options.onStep } : {}),
      onEval: (record) => {
        lines.push(JSON.stringify(record));
        writeMetrics();
        writeCheckpoint();
        options.onEval?.(record);
      },
    });
    const evals = session.stateDict().evals;
    const last = evals[evals.length - 1];
    if (!finished) {
      if (checkpointStep !== session.step) writeCheckpoint();
      writeModel(runDir, model, { setup: setup.name, steps: String(session.step), ...(last ? { test_accuracy: String(last.test_accuracy) } : {}) });
      throw new TrainingInterruptedError(session.step, hp.steps, runDir.dir, options.signal?.reason);
    }
    const result = session.result();
    const done: DoneRecord = {
      event: 'done',
      setup: setup.name,
      steps: hp.steps,
      test_accuracy: result.final.test_accuracy,
      test_loss: result.final.test_loss,
      wall_s: wallBefore + (performance.now() - started) / 1000,
      train_steps_per_s: hp.steps / result.trainSeconds,
      backend: backend.name,
    };
    writeModel(runDir, model, { setup: setup.name, steps: String(hp.steps), test_accuracy: String(done.test_accuracy) });
    return { done, evals: result.evals, runDir, config };
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    try {
      // Plots of whatever was measured, also when training stopped early. Without the optional
      // @napi-rs/canvas the run still counts: one line says what is missing.
      const evals = session.stateDict().evals;
      if (evals.length > 0) {
        try {
          await writeTrainingPlots(runDir.dir, evals, { title });
        } catch (error) {
          if (error instanceof MissingDependencyError) {
            console.warn(`dlp: loss.png and accuracy.png not drawn: ${error.message}`);
          } else if (!failed) {
            throw error;
          }
          // else: the run already failed (a full disk fails metrics.jsonl, then the plots too);
          // that first failure is the one to report, and a throw here would replace it.
        }
      }
    } finally {
      runDir.release();
    }
  }
}
