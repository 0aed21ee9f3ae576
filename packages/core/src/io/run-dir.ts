/**
 * The folder a training run writes (`dlp train --out DIR`): `metrics.jsonl`, `loss.png`,
 * `accuracy.png`, `model.safetensors`, `config.json`.
 *
 * An existing folder named by the user is accepted, even a non-empty one (re-running into the
 * same `--out` is normal, and refusing would push people to delete results by hand). Nothing
 * in it is deleted up front: every file of the run is written atomically (temp file + rename,
 * see atomic-write.ts), so each one is at any moment either the old run's complete file or this
 * run's complete file, never a partial one, and a run that fails early loses nothing that was
 * there. The price is that, until this run has written all five, the folder can hold a mix of
 * old and new files: `preexisting` lists the ones already there so a caller can warn.
 *
 * The default folder, `runs/<setup>-<YYYYMMDD-HHMMSS>`, is always new: when that name is taken
 * (two runs started in the same second) a suffix `-2`, `-3`, ... is added.
 */

import { ArgumentError, DlpError } from '../errors.js';
import { nodeBuiltins } from '../node-builtins.js';

/** The names of the files a run writes, fixed by the CLI contract. */
export const RUN_FILES = {
  metrics: 'metrics.jsonl',
  lossPlot: 'loss.png',
  accuracyPlot: 'accuracy.png',
  model: 'model.safetensors',
  config: 'config.json',
} as const;

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
  /** Which of the five file names already existed in the folder (from an earlier run). */
  preexisting: string[];
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
  return new DlpError(`cannot create the run folder ${dir}: ${err?.code ?? ''} ${err?.message ?? String(error)}`.trim(), {
    cause: error,
  });
}

/**
 * Creates (if needed) the run folder and returns the paths of its files. Nothing else is
 * written. Relative paths are resolved against the current working directory.
 *
 * @param out the folder the user asked for, or undefined for the default under `runs/`.
 * @param setup the setup's name, used in the default folder name.
 * @param now the time in the default folder name.
 * @throws ArgumentError when `setup` or `out` is empty or `out` names a file.
 * @throws DlpError when the folder cannot be created (permissions, read-only disk).
 */
export function createRunDir(out: string | undefined, setup: string, now: Date = new Date()): RunDir {
  const node = nodeBuiltins('createRunDir');
  const { fs, path } = node;
  if (typeof setup !== 'string' || setup.trim() === '') throw new ArgumentError('createRunDir: setup name is empty');
  let dir: string;
  if (out !== undefined) {
    if (out.trim() === '') throw new ArgumentError('--out is empty: give a folder path');
    dir = path.resolve(out);
    try {
      fs.mkdirSync(dir, { recursive: true });
    } catch (error) {
      throw fsError(out, error);
    }
    if (!fs.statSync(dir).isDirectory()) throw new ArgumentError(`--out ${out}: a file (not a folder) is in the way`);
  } else {
    const base = path.resolve(defaultRunDirName(setup, now));
    try {
      fs.mkdirSync(path.dirname(base), { recursive: true });
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
  }
  const files = {
    metrics: path.join(dir, RUN_FILES.metrics),
    lossPlot: path.join(dir, RUN_FILES.lossPlot),
    accuracyPlot: path.join(dir, RUN_FILES.accuracyPlot),
    model: path.join(dir, RUN_FILES.model),
    config: path.join(dir, RUN_FILES.config),
  };
  const preexisting = Object.values(RUN_FILES).filter((name) => fs.existsSync(path.join(dir, name)));
  return { dir, ...files, preexisting };
}
