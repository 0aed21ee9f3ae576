/**
 * Runs several setups one after another (`dlp reproduce mlp`): each into its own folder under
 * `<outDir>/<group>/<setup>/`, then the results page rewritten atomically, so an interrupted
 * reproduction keeps every finished row.
 */

import { ArgumentError } from '../errors.js';
import { writeFileAtomicSync } from '../io/atomic-write.js';
import { nodeBuiltins } from '../node-builtins.js';
import { renderResultsPage, type ResultRow, type ResultsPage } from './results-table.js';
import { runExperiment, type RunOptions, type RunResult } from './run.js';
import { getSetup } from './setups.js';

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
}

export interface ReproduceResult {
  page: string;
  results: RunResult[];
}

export async function reproduce(options: ReproduceOptions): Promise<ReproduceResult> {
  const scale = options.stepsScale ?? 1;
  if (!(Number.isFinite(scale) && scale > 0)) throw new ArgumentError(`--steps-scale must be a positive number, got ${scale}`);
  const presets = options.setups.map(getSetup);
  const { path } = nodeBuiltins('reproduce');
  const page = path.resolve(options.outDir, `${options.group}.md`);
  const rows: ResultRow[] = presets.map((preset) => ({
    preset,
    steps: Math.max(1, Math.round(preset.defaults.steps * scale)),
    runPath: `${options.group}/${preset.name}`,
  }));
  const date = new Date().toISOString().slice(0, 10);
  const write = () =>
    writeFileAtomicSync(page, (options.render ?? renderResultsPage)({ title: options.title, command: options.command, machine: options.machine, date, rows }));

  const results: RunResult[] = [];
  for (const row of rows) {
    const result = await runExperiment({
      setup: row.preset.name,
      steps: row.steps,
      evalFreq: Math.max(1, Math.round(row.preset.defaults.evalFreq * scale)),
      out: path.resolve(options.outDir, row.runPath),
      // Reproducing regenerates the page's runs: the previous ones are replaced.
      overwrite: true,
      ...(options.backend !== undefined ? { backend: options.backend } : {}),
      ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
      ...(options.data !== undefined ? { data: options.data } : {}),
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...(options.onEval ? { onEval: options.onEval } : {}),
      ...(options.onStep ? { onStep: options.onStep } : {}),
      ...(options.onStart ? { onStart: options.onStart } : {}),
      ...(options.onDownload ? { onDownload: options.onDownload } : {}),
    });
    row.done = result.done;
    results.push(result);
    write();
    options.onSetupDone?.(result);
  }
  return { page, results };
}
