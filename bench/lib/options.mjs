// Command-line options and preconditions shared by the side-by-side scripts in bench/.
// No dependencies beyond Node itself.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (bench/lib/../..). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where the datasets live by default: ../shared/datasets from the repository root. */
export const DEFAULT_DATA_DIR = path.resolve(ROOT, '..', 'shared', 'datasets');

/** The dlp CLI entry, relative to the repository root. */
export const DEFAULT_DLP_CLI = 'packages/cli/dist/main.js';

/** The interpreter with numpy and torch: $DLP_BENCH_PYTHON, else Debian's /usr/bin/python3. */
export const defaultPython = () =>
  process.env.DLP_BENCH_PYTHON || (fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');

/** fail(msg, code = 2): prints `name: msg` on stderr and exits. */
export function makeFail(name) {
  return (msg, code = 2) => {
    process.stderr.write(`${name}: ${msg}\n`);
    process.exit(code);
  };
}

/** `p` relative to the repository root when it lies inside it, else absolute. */
export function rel(p) {
  const r = path.relative(ROOT, path.resolve(ROOT, p));
  return r.startsWith('..') ? path.resolve(ROOT, p) : r || '.';
}

// Value converters for parseArgs: (text, bad) => value, where bad(why) fails with the flag named.
export const posInt = (v, bad) => {
  const x = Number(v);
  if (!Number.isInteger(x) || x < 1) bad(`wants a positive integer, got ${v}`);
  return x;
};
export const absPath = (v) => path.resolve(v);
export const text = (v) => v;

/**
 * Parses argv against `flags`: { '--name': [key, convert] }, where a flag without a converter
 * is a switch (sets key to true). --help / -h prints usage() and exits 0; an unknown option or
 * a missing value fails (exit 2).
 */
export function parseArgs(argv, defaults, flags, { fail, usage }) {
  const o = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') {
      process.stdout.write(usage());
      process.exit(0);
    }
    if (!Object.hasOwn(flags, a)) fail(`unknown option ${a}\n${usage()}`);
    const [key, convert] = flags[a];
    if (!convert) {
      o[key] = true;
      continue;
    }
    if (i + 1 >= argv.length) fail(`${a} needs a value`);
    o[key] = convert(argv[++i], (why) => fail(`${a} ${why}`));
  }
  return o;
}

/** The options of the whole-run MLP scripts, with their defaults. */
export const RUN_FLAGS = {
  '--repeats': ['repeats', posInt],
  '--threads': ['threads', posInt],
  '--steps': ['steps', posInt],
  '--data-dir': ['dataDir', absPath],
  '--python': ['python', text],
  '--dlp-cli': ['dlpCli', text],
  '--out-dir': ['outDir', text],
};
export const runDefaults = () => ({
  repeats: 3,
  threads: 2,
  steps: null,
  dataDir: DEFAULT_DATA_DIR,
  python: defaultPython(),
  dlpCli: DEFAULT_DLP_CLI,
  outDir: 'docs/results',
});

/** Fails unless the dlp CLI entry exists. */
export function requireDlpCli(cli, fail, hint = '') {
  if (!fs.existsSync(path.resolve(ROOT, cli))) {
    fail(`the dlp CLI is not built (${rel(cli)} is missing): run \`pnpm build\` in ${ROOT} first${hint}`);
  }
}

/** Fails unless `dataDir` holds CIFAR-10 in the binary format (or is that folder itself). */
export function requireCifar(dataDir, fail) {
  if (!['cifar-10-batches-bin/test_batch.bin', 'test_batch.bin'].some((f) => fs.existsSync(path.join(dataDir, f)))) {
    fail(`no CIFAR-10 in ${dataDir} (expected ${path.join(dataDir, 'cifar-10-batches-bin', 'test_batch.bin')}); pass --data-dir`);
  }
}
