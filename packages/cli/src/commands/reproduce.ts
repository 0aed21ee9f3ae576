/**
 * `dlp reproduce mlp`: trains the NumPy MLP and the nine autograd setups one after another and
 * writes the results page (docs/results/mlp.md by default) with each run's plots beside it.
 * `--steps-scale 0.01` runs every setup at 1% of its steps, for a quick look.
 */

import { cpus } from 'node:os';
import { data, train } from '@dlp/core';
import { noPositionals, parseFlags, stringFlag, type FlagSpec } from '../args.js';
import { UsageError } from '../errors.js';

const GROUPS: Record<string, { setups: readonly string[]; title: string; what: string }> = {
  mlp: {
    setups: ['numpy', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    title: 'MLPs on CIFAR-10: the NumPy MLP and the nine autograd setups (DESIGN.md, experiments 1 and 2)',
    what: 'the NumPy MLP and setups 1-9',
  },
  all: { setups: train.ALL_SETUPS, title: train.ALL_TITLE, what: 'the NumPy MLP, setups 1-9, the ConvNet and the transfer experiment' },
  transfer: { setups: [], title: 'transfer', what: 'the transfer experiment' },
};

export const REPRODUCE_HELP = `Usage: dlp reproduce <mlp|all|transfer> [--steps-scale X] [--setups LIST] [--backend NAME] [--data-dir DIR] [--out DIR] [--seed N]

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
  --backend NAME   auto (default: the fastest that loads, saying why it passed over any), cuda,
                   native, wasm or js
  --data-dir DIR   where CIFAR-10 is (else $DLP_DATA_DIR, else the cache)
  --out DIR        results folder (default docs/results)
  --seed N         seed of every run (default 42)
`;

const flags: FlagSpec = {
  'steps-scale': { type: 'string' },
  setups: { type: 'string' },
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
    ...(backend !== undefined ? [`--backend ${backend}`] : []),
    ...(seed !== undefined ? [`--seed ${seed}`] : []),
  ].join(' ');

  let progress: train.TrainingProgress | undefined;
  const cpu = cpus();
  const started = performance.now();
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
      process.stderr.write(`dlp reproduce ${groupName}: setup ${config.setup}, ${config.steps} steps, ${config.backend_detail}\n  writing ${runDir.dir}\n`);
    },
    onStep: (info: train.StepInfo) => progress?.step(info),
    onEval: (record: train.EvalRecord) => progress?.eval(record),
    onSetupDone: ({ done, config }: train.RunResult) =>
      process.stderr.write(
        `  setup ${done.setup}: test accuracy ${done.test_accuracy.toFixed(4)} (reference ${config.reference_test_accuracy}), ${done.wall_s.toFixed(1)} s\n`,
      ),
  };
  const onRun = (role: train.TransferRole) =>
    process.stderr.write(`dlp reproduce ${groupName}: transfer, ${role === 'pretrain' ? 'pretraining on classes 0-4' : role === 'finetune' ? 'classes 5-9 from the pretrained features' : 'classes 5-9 from scratch'}\n`);
  const run: Promise<{ page: string; runs: number }> =
    groupName === 'transfer'
      ? train.runTransfer({ ...common, onRun }).then((r) => ({ page: r.page, runs: 3 }))
      : groupName === 'all'
        ? train.reproduceAll({ ...common, setups, transfer: { onRun } }).then((r) => ({ page: r.page, runs: r.results.length + (r.transfer ? 3 : 0) }))
        : train.reproduce({ ...common, setups, group: groupName, title: group.title }).then((r) => ({ page: r.page, runs: r.results.length }));
  let result: { page: string; runs: number };
  try {
    result = await run;
  } catch (error) {
    if (error instanceof train.TrainingDivergedError) {
      process.stderr.write(`dlp: ${error.message} (finished setups are on the results page)\n`);
      return 1;
    }
    throw error;
  }
  process.stdout.write(`results: ${result.page} (${result.runs} runs in ${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
  return 0;
}
