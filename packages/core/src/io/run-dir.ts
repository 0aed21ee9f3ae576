/**
 * The folder a training run writes (`dlp train --out DIR`): `metrics.jsonl`, `loss.png`,
 * `accuracy.png`, `model.safetensors`, `config.json` and `checkpoint.safetensors`, each
 * written atomically (temp file + rename, see atomic-write.ts).
 *
 * A run folder holds one run. An existing non-empty folder is refused (a new run beside an old
 * one's files would leave a mix of the two should it stop early) unless the caller says what to
 * do with it: `overwrite` deletes the files a run writes (and nothing else: `--out .` with
 * `--overwrite` must not empty someone's working directory) before the run starts; `resume`
 * continues the run it holds. While a run writes its folder it holds the folder's lock
 * (run-lock.ts), so a second run into the same folder is refused.
 *
 * The default folder, `runs/<setup>-<YYYYMMDD-HHMMSS>`, is always new: when that name is taken
 * (two runs started in the same second) a suffix `-2`, `-3`, ... is added.
 */

import { ArgumentError, DlpError } from '../errors.js';
import { nodeBuiltins } from '../node-builtins.js';
import { fileSystemError, mkdirRecursive } from './fs-error.js';
import { acquireRunLock, RUN_LOCK_FILE } from './run-lock.js';

/** The names of the files a run writes, fixed by the CLI contract. */
export const RUN_FILES = {
  metrics: 'metrics.jsonl',
  lossPlot: 'loss.png',
  accuracyPlot: 'accuracy.png',
  model: 'model.safetensors',
  config: 'config.json',
  checkpoint: 'checkpoint.safetensors',
} as const;

/**
 * What to do with an existing non-empty folder: refuse it (`new`, the default), delete the run
 * files in it first (`overwrite`), or continue the run in it (`resume`: config.json and
 * checkpoint.safetensors must be there).
 */
export type RunDirMode = 'new' | 'overwrite' | 'resume';

export interface RunDirOptions {
  mode?: RunDirMode;
  /** The time in the default folder name. */
  now?: Date;
}

export interface RunDir {
  /** The run folder, absolute. */
  dir: string;
  /** `<dir>/metrics.jsonl` */
  metrics: string;
  /** `<dir>/loss.png` */
  lossPlot: string;
  /** `<dir>/accuracy.png` */
  accuracyPlot: string;
  /** `<dir>/model.safetensors` */
  model: string;
  /** `<dir>/config.json` */
  config: string;
  /** `<dir>/checkpoint.safetensors` */
  checkpoint: string;
  /** Gives the folder's lock back (the run is over); later calls do nothing. */
  release(): void;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `YYYYMMDD-HHMMSS` in local time (the time people read on their clock). */
export function runTimestamp(now: Date): string {
  return (
    `${pad(now.getFullYear(), 4)}${pad(now.getMonth() + 1)}${pad(now.getDate())}-` +
    `${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`
  );
}

/** The default run folder, relative: `runs/<setup>-<YYYYMMDD-HHMMSS>`. */
export function defaultRunDirName(setup: string, now: Date = new Date()): string {
  // Setup names are short words or numbers; anything else becomes '_' so it stays one path part.
  const safe = setup.replace(/[^A-Za-z0-9._-]/g, '_');
  return `runs/${safe}-${runTimestamp(now)}`;
}

function fsError(dir: string, error: unknown): DlpError {
  const err = error as NodeJS.ErrnoException;
  if (err?.code === 'EEXIST' || err?.code === 'ENOTDIR') {
    return new ArgumentError(`--out ${dir}: a file (not a folder) is in the way`, { cause: error });
  }
  return fileSystemError('create the run folder', dir, error);
}

/** A temp file that atomic-write.ts left beside a run file (`.<name>.<pid>.<random>.tmp`). */
function isRunTempFile(name: string): boolean {
  return Object.values(RUN_FILES).some((file) => name.startsWith(`.${file}.`) && name.endsWith('.tmp'));
}

/** The folder's entries other than its lock: what makes it "not empty". */
function contents(fs: typeof import('node:fs'), dir: string): string[] {
  return fs.readdirSync(dir).filter((name) => name !== RUN_LOCK_FILE);
}

/**
 * Checks, without creating or changing anything, that `out` can take a run in `mode`: what
 * runExperiment asks before loading data, so a refused folder costs nothing.
 * @throws ArgumentError naming the folder, the reason and the flags that would accept it
 */
export function checkRunDir(out: string, mode: RunDirMode = 'new'): void {
  const { fs, path } = nodeBuiltins('checkRunDir');
  if (out.trim() === '') throw new ArgumentError(`${mode === 'resume' ? '--resume' : '--out'} is empty: give a folder path`);
  const dir = path.resolve(out);
  let stat: import('node:fs').Stats | undefined;
  try {
    stat = fs.statSync(dir);
  } catch {
    stat = undefined;
  }
  if (mode === 'resume') {
    if (!stat?.isDirectory()) throw new ArgumentError(`--resume ${out}: no such run folder`);
    for (const file of [RUN_FILES.config, RUN_FILES.checkpoint]) {
      if (!fs.existsSync(path.join(dir, file))) {
        const why = file === RUN_FILES.config ? 'not a dlp run folder' : 'the run stopped before its first evaluation, so there is nothing to resume';
        throw new ArgumentError(`--resume ${out}: no ${file} in it (${why})`);
      }
    }
    return;
  }
  if (stat === undefined) return;
  if (!stat.isDirectory()) throw new ArgumentError(`--out ${out}: a file (not a folder) is in the way`);
  const entries = contents(fs, dir);
  if (mode === 'new' && entries.length > 0) {
    const resumable = entries.includes(RUN_FILES.checkpoint) && entries.includes(RUN_FILES.config);
    throw new ArgumentError(
      `--out ${out} is not empty (${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}, e.g. ${entries.sort()[0]}): ` +
        `add --overwrite to replace the run files in it${resumable ? `, or use --resume ${out} to continue its run` : ''}, or choose another --out`,
    );
  }
}

/**
 * Creates (if needed) and locks the run folder and returns the paths of its files. With
 * `overwrite`, the files a run writes are deleted first (other files stay); in every mode,
 * temp files that a killed run left beside its files are removed (the lock says nobody else
 * is writing). Relative paths are resolved against the current working directory.
 *
 * @param out the folder the user asked for, or undefined for a new one under `runs/`.
 * @param setup the setup's name, used in the default folder name.
 * @throws ArgumentError when `setup` or `out` is empty, `out` names a file, is not empty (mode
 *   `new`), holds no run to resume (mode `resume`), or another run holds its lock.
 * @throws DlpError when the folder cannot be created (permissions, read-only disk).
 */
export function createRunDir(out: string | undefined, setup: string, options: RunDirOptions = {}): RunDir {
  const node = nodeBuiltins('createRunDir');
  const { fs, path } = node;
  const mode = options.mode ?? 'new';
  if (typeof setup !== 'string' || setup.trim() === '') throw new ArgumentError('createRunDir: setup name is empty');
  let dir: string;
  let what: string;
  if (out !== undefined) {
    checkRunDir(out, mode);
    dir = path.resolve(out);
    what = `${mode === 'resume' ? '--resume' : '--out'} ${out}`;
    try {
      mkdirRecursive(dir);
    } catch (error) {
      throw fsError(out, error);
    }
    if (!fs.statSync(dir).isDirectory()) throw new ArgumentError(`--out ${out}: a file (not a folder) is in the way`);
  } else {
    if (mode === 'resume') throw new ArgumentError('createRunDir: resume needs the run folder');
    const base = path.resolve(defaultRunDirName(setup, options.now ?? new Date()));
    try {
      mkdirRecursive(path.dirname(base));
    } catch (error) {
      throw fsError(path.dirname(base), error);
    }
    // mkdir without `recursive` fails on an existing name: the folder we get is ours alone.
    for (let k = 1; ; k++) {
      const candidate = k === 1 ? base : `${base}-${k}`;
      try {
        fs.mkdirSync(candidate);
        dir = candidate;
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || k >= 1000) throw fsError(candidate, error);
      }
    }
    what = `the run folder ${dir}`;
  }

  const lock = acquireRunLock(dir, what);
  try {
    // Checked again under the lock: another run may have filled the folder since checkRunDir.
    if (out !== undefined) checkRunDir(out, mode);
    for (const name of contents(fs, dir)) {
      const runFile = mode === 'overwrite' && (Object.values(RUN_FILES) as string[]).includes(name);
      if (runFile || isRunTempFile(name)) fs.rmSync(path.join(dir, name), { force: true });
    }
  } catch (error) {
    lock.release();
    if (error instanceof DlpError) throw error;
    throw fileSystemError('clear the run folder', dir, error);
  }
  // process.exit() (a second Ctrl-C) can cut an async atomic write short: its temp file goes too.
  const removeOwnTempFiles = () => {
    try {
      for (const name of fs.readdirSync(dir)) {
        if (isRunTempFile(name) && name.includes(`.${process.pid}.`)) fs.rmSync(path.join(dir, name), { force: true });
      }
    } catch {
      // the folder is gone or unreadable: nothing to tidy
    }
  };
  process.on('exit', removeOwnTempFiles);
  const release = () => {
    process.removeListener('exit', removeOwnTempFiles);
    lock.release();
  };
  return { ...runDirFiles(dir), release };
}

/** The paths of a run folder's files (`dir` absolute), without taking the folder or its lock. */
export function runDirFiles(dir: string): Omit<RunDir, 'release'> {
  const { path } = nodeBuiltins('runDirFiles');
  const file = (name: string) => path.join(dir, name);
  return {
    dir,
    metrics: file(RUN_FILES.metrics),
    lossPlot: file(RUN_FILES.lossPlot),
    accuracyPlot: file(RUN_FILES.accuracyPlot),
    model: file(RUN_FILES.model),
    config: file(RUN_FILES.config),
    checkpoint: file(RUN_FILES.checkpoint),
  };
}
