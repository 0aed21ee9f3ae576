/**
 * The settings of a run (runExperiment): the setup's defaults with the caller's overrides for a
 * new run, or the run's own config.json for `--resume`, where an option that contradicts it is
 * refused (a resumed run must be the same run), and a fingerprint of the data it trains on.
 */

import type { Cifar10 } from '../data/cifar10-split.js';
import { ArgumentError, DataError } from '../errors.js';
import { nodeBuiltins } from '../node-builtins.js';
import type { SetupHyperparameters } from './setups.js';

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
  /** The pretrained weights the model started from (absolute path), or null: from scratch. */
  weights?: string | null;
  /** Whether only the head trained (the features frozen). */
  freeze_features?: boolean;
  /** Set when the run was allowed to train on a degenerate data set (--allow-degenerate-data). */
  allow_degenerate_data?: boolean;
  /** Set for a data-parallel run: the engine ('mpi') and how many processes trained. */
  distributed?: { engine: string; processes: number };
}

/** The options that choose a run's settings, as runExperiment takes them. */
export interface SettingOptions extends Partial<SetupHyperparameters> {
  setup?: string;
  seed?: number;
  backend?: string;
  out?: string;
  weights?: string;
  freezeFeatures?: boolean;
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
export function resolveHyperparameters(options: Partial<SetupHyperparameters>, defaults: SetupHyperparameters): SetupHyperparameters {
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

/**
 * A run folder's config.json, checked to hold the settings a resumed run needs.
 * @throws DataError when it cannot be read or lacks a setting
 */
export function readRunConfig(dir: string, what: string): RunConfig {
  const { fs, path } = nodeBuiltins('readRunConfig');
  const file = path.join(dir, 'config.json');
  let config: Partial<RunConfig>;
  try {
    config = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<RunConfig>;
  } catch (error) {
    throw new DataError(`${what}: cannot read its config.json: ${(error as Error).message}`, { cause: error });
  }
  const fields: Array<[keyof RunConfig, 'string' | 'number']> = [
    ['setup', 'string'], ['steps', 'number'], ['batchSize', 'number'], ['lr', 'number'],
    ['evalFreq', 'number'], ['seed', 'number'], ['backend', 'string'], ['data_dir', 'string'],
  ];
  for (const [key, type] of fields) {
    if (typeof config?.[key] !== type) throw new DataError(`${what}: its config.json has no ${type} '${key}'`);
  }
  return config as RunConfig;
}

/** Flag names of the options, for messages in the CLI's terms. */
const FLAGS: Record<keyof SettingOptions, string> = {
  setup: '--setup',
  steps: '--steps',
  batchSize: '--batch-size',
  lr: '--lr',
  evalFreq: '--eval-freq',
  seed: '--seed',
  backend: '--backend',
  out: '--out',
  weights: '--weights',
  freezeFeatures: '--freeze-features',
};

/**
 * Refuses options that contradict the resumed run's config.json (options equal to it are
 * accepted): a resumed run is the same run, continued.
 * @param backendName the backend the options ask for, resolved (auto → native, say)
 * @throws ArgumentError naming the first contradiction
 */
export function checkResumeOptions(options: SettingOptions, config: RunConfig, resumeDir: string, backendName: string | undefined): void {
  const { path } = nodeBuiltins('checkResumeOptions');
  const given: Partial<Record<keyof SettingOptions, unknown>> = {
    setup: options.setup,
    steps: options.steps,
    batchSize: options.batchSize,
    lr: options.lr,
    evalFreq: options.evalFreq,
    seed: options.seed,
    backend: options.backend === undefined ? undefined : backendName,
    out: options.out === undefined ? undefined : path.resolve(options.out),
    weights: options.weights === undefined ? undefined : path.resolve(options.weights),
    freezeFeatures: options.freezeFeatures,
  };
  const saved: Record<keyof SettingOptions, unknown> = {
    setup: config.setup,
    steps: config.steps,
    batchSize: config.batchSize,
    lr: config.lr,
    evalFreq: config.evalFreq,
    seed: config.seed,
    backend: config.backend,
    out: path.resolve(resumeDir),
    weights: config.weights ?? undefined,
    freezeFeatures: config.freeze_features ?? false,
  };
  for (const key of Object.keys(FLAGS) as Array<keyof SettingOptions>) {
    const value = given[key];
    if (value === undefined || value === saved[key]) continue;
    const flag = FLAGS[key];
    const shown = key === 'backend' || key === 'out' || key === 'weights' ? String(options[key]) : key === 'freezeFeatures' ? '' : String(value);
    throw new ArgumentError(
      `--resume ${resumeDir}: ${flag}${shown === '' ? '' : ` ${shown}`} contradicts the run's ${key === 'out' ? 'folder' : `${key} ${String(saved[key] ?? 'none')}`} (config.json); leave ${flag} out to continue the run as it was`,
    );
  }
}

/** What identifies the data a run trains on: sizes and a hash (FNV-1a) of the training mean image. */
export interface DataFingerprint {
  train: number;
  test: number;
  mean_fnv1a: string;
}

export function dataFingerprint(cifar: Cifar10): DataFingerprint {
  const bytes = new Uint8Array(cifar.mean.buffer, cifar.mean.byteOffset, cifar.mean.byteLength);
  let hash = 0x811c9dc5;
  for (const b of bytes) hash = Math.imul(hash ^ b, 0x01000193) >>> 0;
  return { train: cifar.train.length, test: cifar.test.length, mean_fnv1a: hash.toString(16).padStart(8, '0') };
}

/**
 * Refuses to resume on other data than the run trained on (a moved folder is fine, other
 * images are not: the losses would not continue the run's).
 */
export function checkSameData(saved: unknown, now: DataFingerprint, what: string, dir: string): void {
  const s = saved as Partial<DataFingerprint> | undefined;
  if (s?.train !== now.train || s.test !== now.test || s.mean_fnv1a !== now.mean_fnv1a) {
    throw new ArgumentError(
      `${what}: the data in ${dir} is not what the run trained on (${now.train}/${now.test} images, mean hash ${now.mean_fnv1a}; ` +
        `the run's: ${s?.train}/${s?.test}, ${s?.mean_fnv1a}); give --data-dir the run's data`,
    );
  }
}
