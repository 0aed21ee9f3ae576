/**
 * `dlp train --setup NAME`: runs one experiment of the practical. People get a progress bar
 * on stderr and a summary; `--json` makes stdout carry JSON lines only (an `eval` line per
 * evaluation, then a `done` line). The run folder holds metrics.jsonl, the plots, config.json,
 * model.safetensors and checkpoint.safetensors; `--resume DIR` continues a run from its
 * checkpoint, and Ctrl-C / SIGTERM stop a run so that it can be resumed.
 */

import { data, distributed, getBackend, train } from '@dlp/core';
import { noPositionals, parseFlags, positiveIntFlag, stringFlag, type FlagSpec } from '../args.js';
import { UsageError } from '../errors.js';
import { createInterruptTrap, resumeCommand, SIGNAL_EXIT_CODES } from '../interrupt.js';
import { fasterBackend, RunTimeWarning } from '../run-time-warning.js';

const setupNames = () => train.setupNames().join('|');

export const TRAIN_HELP = `Usage: dlp train --setup <${'NAME'}> [--steps N] [--eval-freq N] [--batch-size N] [--lr X]
                 [--seed N] [--backend auto|cuda|native|wasm|js] [--data-dir DIR] [--out DIR] [--overwrite] [--json]
                 [--weights FILE] [--freeze-features] [--allow-degenerate-data] [--distributed mpi|nccl]
       dlp train --resume DIR [--data-dir DIR] [--json]
       mpirun -n N dlp train --setup NAME … --distributed mpi

Trains one experiment of the CIFAR-10 practical and evaluates it on the full test set.

  --setup NAME     which experiment (see below)
  --steps N        training steps (default: the setup's)
  --eval-freq N    evaluate every N steps, and after the last (default: the setup's)
  --batch-size N   images per step (default: the setup's)
  --lr X           learning rate (default: the setup's)
  --seed N         seed of the weights and the shuffles (default 42)
  --backend NAME   auto (default: the fastest that loads here: cuda, native, wasm, js; saying
                   why it passed over one, unless CUDA is simply absent), cuda, native, wasm or js
  --data-dir DIR   where CIFAR-10 is (else $DLP_DATA_DIR, else the cache, downloading there)
  --out DIR        run folder (default runs/<setup>-<timestamp>); a non-empty one is refused
  --overwrite      first delete the files a run writes from a non-empty --out (others stay)
  --resume DIR     continue the run in DIR from its last checkpoint, with the settings of its
                   config.json (flags that contradict them are refused): the same losses, step
                   for step, as had it never stopped; metrics and plots cover the whole run
  --weights FILE   start from pretrained weights (.safetensors, or PyTorch .pth/.pt, with
                   PyTorch's names, e.g. torchvision's DenseNet-121): the features are loaded, a
                   head of another size starts fresh (densenet121 and convnet)
  --freeze-features  train only the head (with --weights)
  --json           stdout: one JSON line per evaluation and a last "done" line
  --allow-degenerate-data  train even when every label of a split is one class or every image
                   is all zeros (refused by default: nothing can be learned from such a set)
  --distributed mpi  data-parallel over the processes mpirun starts (Open MPI): each takes its
                   shard of every batch, gradients are summed over them; BatchNorm normalises
                   each shard by itself (as PyTorch's DDP); rank 0 evaluates, prints and writes
                   the run folder. Threads per process: the cores over the processes per machine
  --distributed nccl  the same on GPUs (--backend cuda, one GPU per process): the gradients
                   are summed by NCCL on the devices

The run folder holds config.json, metrics.jsonl, loss.png, accuracy.png, model.safetensors and
checkpoint.safetensors (weights, optimizer state, data order and generator states, rewritten
atomically at every evaluation). Ctrl-C or SIGTERM stops the run after the current step, saves a
checkpoint, the metrics, the model and the plots, prints the command that resumes it and exits
with 130 (SIGINT) or 143 (SIGTERM); a second signal exits at once. One run at a time per folder.
When the first training steps say the run would take over an hour, one warning line says so
and names a faster backend (the run goes on). Output piped into a reader that stops early
(\`| head -1\`) ends the command quietly with exit code 141.

Setups:
`;

const flags: FlagSpec = {
  setup: { type: 'string' },
  steps: { type: 'string' },
  'eval-freq': { type: 'string' },
  'batch-size': { type: 'string' },
  lr: { type: 'string' },
  seed: { type: 'string' },
  backend: { type: 'string' },
  'data-dir': { type: 'string' },
  out: { type: 'string' },
  overwrite: { type: 'boolean' },
  resume: { type: 'string' },
  weights: { type: 'string' },
  'freeze-features': { type: 'boolean' },
  json: { type: 'boolean' },
  'allow-degenerate-data': { type: 'boolean' },
  distributed: { type: 'string' },
};

export function trainHelp(): string {
  const rows = train.setupNames().map((name) => train.getSetup(name)).map(
    (s) =>
      `  ${s.name.padEnd(10)} ${s.description}\n` +
      `  ${''.padEnd(10)} ${s.defaults.steps} steps, batch ${s.defaults.batchSize}, lr ${s.defaults.lr}, ` +
      `eval every ${s.defaults.evalFreq}; reference test accuracy ${s.referenceAccuracy}`,
  );
  return TRAIN_HELP.replace('<NAME>', `<${setupNames()}>`) + rows.join('\n') + '\n';
}

function numberFlag(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value)) throw new UsageError(`--${name} must be a number, got '${raw}'`);
  return value;
}

/** --seed, refused up front when a seed derived from it (seed + the shuffle offset) would overflow. */
function seedFlag(raw: string | undefined): number | undefined {
  const value = numberFlag(raw, 'seed');
  if (value !== undefined && (!Number.isSafeInteger(value) || value > train.MAX_SEED || value < train.MIN_SEED)) {
    throw new UsageError(
      `--seed must be an integer from ${train.MIN_SEED} to ${train.MAX_SEED} (the largest seed accepted: the batch order uses seed + ${train.SHUFFLE_SEED_OFFSET}), got '${raw}'`,
    );
  }
  return value;
}

export async function runTrain(argv: string[]): Promise<number> {
  const parsed = parseFlags(argv, flags, 'train');
  noPositionals(parsed, 'train');
  const setup = stringFlag(parsed, 'setup');
  const resume = stringFlag(parsed, 'resume');
  if (setup === undefined && resume === undefined) {
    throw new UsageError(`train: --setup is required (one of ${setupNames()}), or --resume DIR to continue a run`);
  }
  const json = parsed.values.json === true;
  const out = (line: string) => process.stdout.write(`${line}\n`);

  const engine = distributedFlag(stringFlag(parsed, 'distributed'));
  // The processes' MPI world (NCCL's too: MPI starts the ranks and carries its id).
  const communicator = engine ? distributed.mpiCommunicator() : undefined;
  if (communicator && communicator.rank !== 0) return runRank(communicator, engine!, argv);

  let progress: train.TrainingProgress | undefined;
  const trap = createInterruptTrap();
  // A data-parallel run is not stopped between steps (the other ranks would wait for this one):
  // a signal ends it, and mpirun ends the others.
  const options: train.RunOptions = engine ? { distributed: engine } : { signal: trap.signal };
  setRunFlags(parsed, options);
  options.onDownload = data.createProgressReporter();
  let runTime: RunTimeWarning | undefined;
  options.onStart = ({ config, runDir, resumedAt, backend }) => {
    progress = new train.TrainingProgress(config.setup);
    const loads = (name: string) => {
      try {
        getBackend(name);
        return true;
      } catch {
        return false;
      }
    };
    runTime = new RunTimeWarning({
      steps: config.steps,
      backend: backend.name,
      faster: fasterBackend(backend.name, loads),
      // On a terminal the line replaces the progress bar, which the next step redraws below it.
      write: (line) => process.stderr.write(process.stderr.isTTY ? `\r\x1b[K${line}` : line),
    });
    const where = resumedAt === undefined ? `writing ${runDir.dir}` : `resuming ${runDir.dir} at step ${resumedAt}`;
    process.stderr.write(
      `dlp train ${config.setup}: ${config.steps} steps, batch ${config.batchSize}, lr ${config.lr}, seed ${config.seed}, ` +
        `${config.backend_detail}\n  ${where}\n`,
    );
    // From here on a signal stops the run cleanly (before, while data loads, it ends it at once).
    if (!communicator) trap.arm();
  };
  options.onStep = (info) => {
    runTime?.step(info);
    progress?.step(info);
  };
  options.onEval = (record) => {
    progress?.eval(record);
    if (json) out(JSON.stringify(record));
  };

  try {
    const result = await train.runExperiment(options).catch((error: unknown) => {
      throw communicator ? onRank(communicator, error) : error;
    });
    communicator?.finalize();
    const { done } = result;
    if (json) {
      out(JSON.stringify(done));
    } else {
      out(
        `${done.setup}: test accuracy ${done.test_accuracy.toFixed(4)} (reference ${result.config.reference_test_accuracy}), ` +
          `test loss ${done.test_loss.toFixed(4)}, ${done.steps} steps in ${done.wall_s.toFixed(1)} s ` +
          `(${done.train_steps_per_s.toFixed(0)} training steps/s) on ${done.backend}\n` +
          `results: ${result.runDir.dir}`,
      );
    }
    return 0;
  } catch (error) {
    if (error instanceof train.TrainingInterruptedError && trap.received !== undefined) {
      progress?.stop();
      process.stderr.write(
        `dlp: ${trap.received}: stopped at step ${error.step} of ${error.steps}; checkpoint, metrics, model and plots are in ${error.runDir}; ` +
          `resume with: ${resumeCommand(error.runDir, json ? ['--json'] : [])}\n`,
      );
      return SIGNAL_EXIT_CODES[trap.received];
    }
    if (error instanceof train.TrainingDivergedError) {
      // Not bad input: the run itself failed. Metrics so far are already in the run folder.
      process.stderr.write(`dlp: ${error.message} (metrics so far are kept in the run folder)\n`);
      return 1;
    }
    throw error;
  } finally {
    trap.release();
  }
}

/** The run's settings from the flags, into `options`. */
function setRunFlags(parsed: ReturnType<typeof parseFlags>, options: train.RunOptions): void {
  const set = <K extends keyof train.RunOptions>(key: K, value: train.RunOptions[K] | undefined) => {
    if (value !== undefined) options[key] = value;
  };
  set('steps', positiveIntFlag(parsed, 'steps'));
  set('evalFreq', positiveIntFlag(parsed, 'eval-freq'));
  set('batchSize', positiveIntFlag(parsed, 'batch-size'));
  set('lr', numberFlag(stringFlag(parsed, 'lr'), 'lr'));
  set('seed', seedFlag(stringFlag(parsed, 'seed')));
  set('backend', stringFlag(parsed, 'backend'));
  set('dataDir', stringFlag(parsed, 'data-dir'));
  set('setup', stringFlag(parsed, 'setup'));
  set('out', stringFlag(parsed, 'out'));
  set('resume', stringFlag(parsed, 'resume'));
  if (parsed.values.overwrite === true) options.overwrite = true;
  set('weights', stringFlag(parsed, 'weights'));
  if (parsed.values['freeze-features'] === true) options.freezeFeatures = true;
  if (parsed.values['allow-degenerate-data'] === true) options.allowDegenerateData = true;
}

/** The engine `--distributed` names (undefined without the flag). */
function distributedFlag(value: string | undefined): 'mpi' | 'nccl' | undefined {
  if (value === undefined || value === 'mpi' || value === 'nccl') return value;
  throw new UsageError(`--distributed must be mpi or nccl, got '${value}'`);
}

/** An error of this rank, its message naming the rank (mpirun ends the other ranks on its exit). */
function onRank(communicator: distributed.Communicator, error: unknown): unknown {
  if (error instanceof Error) error.message = `rank ${communicator.rank} of ${communicator.size}: ${error.message}`;
  return error;
}

/** A rank other than 0 of a data-parallel run: trains its shards, prints nothing, writes nothing. */
async function runRank(communicator: distributed.Communicator, engine: 'mpi' | 'nccl', argv: string[]): Promise<number> {
  const options: train.RunOptions = { distributed: engine };
  setRunFlags(parseFlags(argv, flags, 'train'), options);
  await train.runWorker(options).catch((error: unknown) => {
    throw onRank(communicator, error);
  });
  communicator.finalize();
  return 0;
}
