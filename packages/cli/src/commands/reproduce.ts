/**
 * `dlp reproduce mlp`: trains the NumPy MLP and the nine autograd setups one after another and
 * writes the results page (docs/results/mlp.md by default) with each run's plots beside it.
 * `--steps-scale 0.01` runs every setup at 1% of its steps, for a quick look; `--jobs 2` trains
 * two setups at a time, each in its own `dlp train` process (reproduce-jobs.ts).
 */

import { availableParallelism, cpus } from 'node:os';
import { data, train } from '@dlp/core';
import { noPositionals, parseFlags, stringFlag, type FlagSpec } from '../args.js';
import { UsageError } from '../errors.js';
import { SIGNAL_EXIT_CODES, type TrappedSignal } from '../interrupt.js';
import { ChildRunError, childRunner, JobsProgress } from '../reproduce-jobs.js';

const GROUPS: Record<string, { setups: readonly string[]; title: string; what: string }> = {
  mlp: {
    setups: ['numpy', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    title: 'MLPs on CIFAR-10: the NumPy MLP and the nine autograd setups (DESIGN.md, experiments 1 and 2)',
    what: 'the NumPy MLP and setups 1-9',
  },
  all: { setups: train.ALL_SETUPS, title: train.ALL_TITLE, what: 'the NumPy MLP, setups 1-9, the ConvNet and the transfer experiment' },
  transfer: { setups: [], title: 'transfer', what: 'the transfer experiment' },
};

export const REPRODUCE_HELP = `Usage: dlp reproduce <mlp|all|transfer> [--steps-scale X] [--setups LIST] [--jobs N] [--backend NAME] [--data-dir DIR] [--out DIR] [--seed N]

  mlp        the NumPy MLP and setups 1-9, each into <out>/mlp/<setup>/; page <out>/mlp.md
  all        every experiment of the practical: the NumPy MLP, setups 1-9, the ConvNet (into
             <out>/all/<setup>/), then the transfer experiment (<out>/all/transfer.md); page
             <out>/all.md with the course's table beside dlp's numbers and every run's plots
  transfer   the ConvNet pretrained on CIFAR-10's classes 0-4, then trained on 5-9 with a small
             budget from those weights (new head) and from scratch; <out>/transfer/, page
             <out>/transfer.md with both curves on one chart

  --steps-scale X  multiply every run's steps and eval frequency by X (default 1: full runs;
                   0.01 is a quick look)
  --setups LIST    comma-separated subset of the group's setups, e.g. 1,5,6 (mlp, all)
  --jobs N         train N setups at a time (mlp only; default 1), each in its own process with
                   1/N of the cores' threads, the longest first: small MLPs keep two threads busy
                   only part of a step, so side by side they finish sooner (same results; each
                   run's steps/s is then its share of the machine)
  --backend NAME   auto (default: the fastest that loads, saying why it passed over any), cuda,
                   native, wasm or js
  --data-dir DIR   where CIFAR-10 is (else $DLP_DATA_DIR, else the cache)
  --out DIR        results folder (default docs/results)
  --seed N         seed of every run (default 42)
`;

const flags: FlagSpec = {
  'steps-scale': { type: 'string' },
  setups: { type: 'string' },
  jobs: { type: 'string' },
  backend: { type: 'string' },
  'data-dir': { type: 'string' },
  out: { type: 'string' },
  seed: { type: 'string' },
};

export async function runReproduce(argv: string[]): Promise<number> {
  const parsed = parseFlags(argv, flags, 'reproduce');
  const [groupName, ...extra] = parsed.positionals;
  if (groupName === undefined) throw new UsageError(`reproduce: say what to reproduce (${Object.keys(GROUPS).join(', ')})`);
  const group = GROUPS[groupName];
  if (!group) throw new UsageError(`reproduce: unknown experiment group '${groupName}' (expected ${Object.keys(GROUPS).join(', ')})`);
  noPositionals({ ...parsed, positionals: extra }, 'reproduce');

  const rawScale = stringFlag(parsed, 'steps-scale');
  const stepsScale = rawScale === undefined ? 1 : Number(rawScale);
  if (!(Number.isFinite(stepsScale) && stepsScale > 0)) throw new UsageError(`--steps-scale must be a positive number, got '${rawScale}'`);
  if (groupName === 'transfer' && stringFlag(parsed, 'setups') !== undefined) throw new UsageError('reproduce transfer: --setups does not apply (it runs the ConvNet three times)');
  const setups = stringFlag(parsed, 'setups')?.split(',').map((s) => s.trim()) ?? group.setups;
  for (const s of setups) train.getSetup(s); // unknown names fail before anything runs
  const rawJobs = stringFlag(parsed, 'jobs');
  const jobs = rawJobs === undefined ? 1 : Number(rawJobs);
  if (!(Number.isInteger(jobs) && jobs >= 1)) throw new UsageError(`--jobs must be a positive integer, got '${rawJobs}'`);
  if (groupName !== 'mlp' && jobs > 1) throw new UsageError(`reproduce ${groupName}: --jobs applies to reproduce mlp only (the ConvNet and the transfer runs train in this process)`);
  const rawSeed = stringFlag(parsed, 'seed');
  const seed = rawSeed === undefined ? undefined : Number(rawSeed);
  if (seed !== undefined && !Number.isSafeInteger(seed)) throw new UsageError(`--seed must be an integer, got '${rawSeed}'`);
  const backend = stringFlag(parsed, 'backend');
  const dataDir = stringFlag(parsed, 'data-dir');
  // The command as the page quotes it: what changes the results, not where files are.
  const command = [
    `pnpm dlp reproduce ${groupName}`,
    ...(stepsScale !== 1 ? [`--steps-scale ${stepsScale}`] : []),
    ...(stringFlag(parsed, 'setups') !== undefined ? [`--setups ${setups.join(',')}`] : []),
    ...(jobs > 1 ? [`--jobs ${jobs}`] : []),
    ...(backend !== undefined ? [`--backend ${backend}`] : []),
    ...(seed !== undefined ? [`--seed ${seed}`] : []),
  ].join(' ');

  let progress: train.TrainingProgress | undefined;
  const cpu = cpus();
  const started = performance.now();
  // A line of its own; with --jobs, above the runs' progress line.
  let say: (line: string) => void = (line) => process.stderr.write(`${line}\n`);
  const common = {
    stepsScale,
    outDir: stringFlag(parsed, 'out') ?? 'docs/results',
    command,
    machine: `${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${cpu.length} logical cores, Node ${process.version}`,
    ...(backend !== undefined ? { backend } : {}),
    ...(dataDir !== undefined ? { dataDir } : {}),
    ...(seed !== undefined ? { seed } : {}),
    onDownload: data.createProgressReporter(),
    onStart: ({ config, runDir }: { config: train.RunConfig; runDir: { dir: string } }) => {
      progress = new train.TrainingProgress(config.setup);
      say(`dlp reproduce ${groupName}: setup ${config.setup}, ${config.steps} steps, ${config.backend_detail}\n  writing ${runDir.dir}`);
    },
    onStep: (info: train.StepInfo) => progress?.step(info),
    onEval: (record: train.EvalRecord) => progress?.eval(record),
    onSetupDone: ({ done, config }: train.RunResult) =>
      say(`  setup ${done.setup}: test accuracy ${done.test_accuracy.toFixed(4)} (reference ${config.reference_test_accuracy}), ${done.wall_s.toFixed(1)} s`),
  };
  const onRun = (role: train.TransferRole) =>
    say(`dlp reproduce ${groupName}: transfer, ${role === 'pretrain' ? 'pretraining on classes 0-4' : role === 'finetune' ? 'classes 5-9 from the pretrained features' : 'classes 5-9 from scratch'}`);
  const jobsRun = jobs > 1 ? await sideBySide({ jobs, group: groupName, setups, stepsScale, dataDir, onDownload: common.onDownload }) : undefined;
  const options = { ...common, ...jobsRun?.options, machine: `${common.machine}${jobsRun ? `; ${jobsRun.note}` : ''}` };
  const stop = jobsRun?.stop;
  if (jobsRun) say = jobsRun.say;
  const run: Promise<{ page: string; runs: number }> =
    groupName === 'transfer'
      ? train.runTransfer({ ...options, onRun }).then((r) => ({ page: r.page, runs: 3 }))
      : groupName === 'all'
        ? train.reproduceAll({ ...options, setups, transfer: { onRun } }).then((r) => ({ page: r.page, runs: r.results.length + (r.transfer ? 3 : 0) }))
        : train.reproduce({ ...options, setups, group: groupName, title: group.title }).then((r) => ({ page: r.page, runs: r.results.length }));
  let result: { page: string; runs: number };
  try {
    result = await run;
  } catch (error) {
    const signal = stop?.();
    if (signal !== undefined) {
      say(`dlp: stopped by ${signal}: the runs in progress kept their last checkpoint; finished setups are on the results page`);
      return SIGNAL_EXIT_CODES[signal];
    }
    if (error instanceof train.TrainingDivergedError || error instanceof ChildRunError) {
      say(`dlp: ${error.message} (finished setups are on the results page)`);
      // A child refusing bad input (exit 2) is this command refusing it.
      return error instanceof ChildRunError && error.code === 2 ? 2 : 1;
    }
    throw error;
  }
  stop?.();
  process.stdout.write(`results: ${result.page} (${result.runs} runs in ${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
  return 0;
}

/**
 * `--jobs N`: the options that train each setup in a `dlp train` child, N at a time. The data is
 * found (or downloaded) here once; SIGINT and SIGTERM are handed on to the children until
 * `stop()`, which says which signal came, if any.
 */
async function sideBySide({ jobs, group, setups, stepsScale, dataDir, onDownload }: {
  jobs: number;
  group: string;
  setups: readonly string[];
  stepsScale: number;
  dataDir: string | undefined;
  onDownload: data.DownloadProgress;
}): Promise<{ options: { dataDir: string; jobs: number; runSetup: train.SetupRunner }; note: string; say: (line: string) => void; stop: () => TrappedSignal | undefined }> {
  const files = await data.resolveCifar10({ ...(dataDir !== undefined ? { dataDir } : {}), onProgress: onDownload });
  const totalSteps = setups.reduce((sum, s) => sum + Math.max(1, Math.round(train.getSetup(s).defaults.steps * stepsScale)), 0);
  const progress = new JobsProgress(`dlp reproduce ${group}`, totalSteps);
  const threads = Math.max(1, Math.floor(availableParallelism() / jobs));
  const runner = childRunner({ threads, say: (line) => progress.say(`dlp reproduce ${group}: ${line}`), onProgress: (setup, step, steps) => progress.progress(setup, step, steps) });
  let received: TrappedSignal | undefined;
  const listeners = (Object.keys(SIGNAL_EXIT_CODES) as TrappedSignal[]).map((name) => [name, () => {
    received ??= name;
    runner.signal(name);
  }] as const);
  for (const [name, listener] of listeners) process.on(name, listener);
  const options = {
    dataDir: files.dir,
    jobs,
    runSetup: async (runOptions: train.RunOptions) => {
      const result = await runner.run(runOptions);
      progress.progress(result.done.setup, result.done.steps, result.done.steps, false);
      return result;
    },
  };
  const stop = () => {
    for (const [name, listener] of listeners) process.removeListener(name, listener);
    progress.stop();
    return received;
  };
  // For the page: each run's wall time and steps/s are its share of the machine.
  const note = `${jobs} runs at a time, ${threads} kernel thread${threads === 1 ? '' : 's'} each`;
  return { options, note, say: (line) => progress.say(line), stop };
}
