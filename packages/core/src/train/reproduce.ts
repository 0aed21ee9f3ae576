/**
 * Runs several setups (`dlp reproduce mlp`), one after another or `jobs` at a time: each into its
 * own folder under `<outDir>/<group>/<setup>/`, then the results page rewritten atomically after
 * each, so an interrupted reproduction keeps every finished row.
 */

import { ArgumentError } from '../errors.js';
import { writeFileAtomicSync } from '../io/atomic-write.js';
import { fileSystemError } from '../io/fs-error.js';
import { nodeBuiltins } from '../node-builtins.js';
import { pickGiven } from '../pick-given.js';
import { renderResultsPage, type ResultRow, type ResultsPage } from './results-table.js';
import { runExperiment, type RunOptions, type RunResult } from './run.js';
import { getSetup } from './setups.js';

/**
 * Trains one setup with the options `reproduce` would hand runExperiment, and resolves with its
 * result: how `jobs` > 1 runs setups side by side (the CLI's `--jobs` starts a `dlp train`
 * process for each; in one process runs would take turns).
 */
export type SetupRunner = (options: RunOptions) => Promise<RunResult>;

export interface ReproduceOptions extends Pick<RunOptions, 'backend' | 'dataDir' | 'data' | 'seed' | 'onEval' | 'onStep' | 'onStart' | 'onDownload'> {
  /** Setup names, run in this order. */
  setups: readonly string[];
  /** Multiplies every setup's steps and eval frequency (at least 1 each). Default 1. */
  stepsScale?: number;
  /** Folder of the results page; runs go to <outDir>/<group>/<setup>/. */
  outDir: string;
  /** Name of the page and of the runs' folder, e.g. 'mlp' → mlp.md, mlp/. */
  group: string;
  title: string;
  command: string;
  machine: string;
  onSetupDone?: (result: RunResult) => void;
  /** Renders the page (default: the MLP table, renderResultsPage). */
  render?: (page: ResultsPage) => string;
  /** Setups trained at a time (default 1); more than 1 needs `runSetup`. */
  jobs?: number;
  /** Trains one setup (default: runExperiment in this process). */
  runSetup?: SetupRunner;
}

export interface ReproduceResult {
  page: string;
  results: RunResult[];
}

export async function reproduce(options: ReproduceOptions): Promise<ReproduceResult> {
  const scale = options.stepsScale ?? 1;
  if (!(Number.isFinite(scale) && scale > 0)) throw new ArgumentError(`--steps-scale must be a positive number, got ${scale}`);
  const presets = options.setups.map(getSetup);
  const { fs, path } = nodeBuiltins('reproduce');
  const page = path.resolve(options.outDir, `${options.group}.md`);
  try {
    // The page's folder, before any run makes it (a runner need not write there).
    fs.mkdirSync(path.dirname(page), { recursive: true });
  } catch (error) {
    throw fileSystemError('create the results folder', path.dirname(page), error);
  }
  const rows: ResultRow[] = presets.map((preset) => ({
    preset,
    steps: Math.max(1, Math.round(preset.defaults.steps * scale)),
    runPath: `${options.group}/${preset.name}`,
  }));
  const date = new Date().toISOString().slice(0, 10);
  const write = () =>
    writeFileAtomicSync(page, (options.render ?? renderResultsPage)({ title: options.title, command: options.command, machine: options.machine, date, rows }));

  const jobs = options.jobs ?? 1;
  if (!Number.isInteger(jobs) || jobs < 1) throw new ArgumentError(`--jobs must be a positive integer, got ${jobs}`);
  if (jobs > 1 && options.runSetup === undefined) {
    throw new ArgumentError(`jobs ${jobs} needs runSetup: runs in one process take turns, so side by side they must train elsewhere (the CLI's --jobs starts a process for each)`);
  }
  const runSetup = options.runSetup ?? runExperiment;
  const runOptions = (row: ResultRow): RunOptions => ({
    setup: row.preset.name,
    steps: row.steps,
    evalFreq: Math.max(1, Math.round(row.preset.defaults.evalFreq * scale)),
    out: path.resolve(options.outDir, row.runPath),
    // Reproducing regenerates the page's runs: the previous ones are replaced.
    overwrite: true,
    ...pickGiven(options, ['backend', 'dataDir', 'data', 'seed', 'onEval', 'onStep', 'onStart', 'onDownload']),
  });

  const results: (RunResult | undefined)[] = rows.map(() => undefined);
  // One at a time in the page's order; side by side, the longest first (the makespan of
  // longest-first is within 4/3 of the best), each lane taking the next when it is free.
  const work = rows.map(estimatedWork);
  const order = rows.map((_, i) => i);
  if (jobs > 1) order.sort((a, b) => Number(work[b]! > work[a]!) - Number(work[a]! > work[b]!));
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async (): Promise<void> => {
    while (next < order.length && failure === undefined) {
      const i = order[next++]!;
      const row = rows[i]!;
      try {
        const result = await runSetup(runOptions(row));
        row.done = result.done;
        results[i] = result;
        write();
        options.onSetupDone?.(result);
      } catch (error) {
        // The first failure is the one reported; the other lanes finish their current run.
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, rows.length) }, lane));
  if (failure) throw failure.error;
  return { page, results: results as RunResult[] };
}

/**
 * A run's work, for ordering side-by-side runs: steps × batch × the weights its layers multiply
 * by (the MLPs' GEMM work); Infinity (first) where the preset does not list its layer widths
 * (the ConvNet, DenseNet: the longest runs of `reproduce all`).
 */
function estimatedWork(row: ResultRow): number {
  const { architecture, defaults } = row.preset;
  const hidden = Array.isArray(architecture.hidden) ? (architecture.hidden as number[]) : undefined;
  const widths = hidden && typeof architecture.inputs === 'number' && typeof architecture.classes === 'number' ? [architecture.inputs, ...hidden, architecture.classes] : undefined;
  if (!widths) return Infinity;
  return row.steps * defaults.batchSize * widths.slice(1).reduce((sum, width, i) => sum + widths[i]! * width, 0);
}
