#!/usr/bin/env node
// Side-by-side, whole runs: the course's manual MLP ("NumPy part", `dlp train --setup numpy`)
// in dlp against the same experiment in NumPy and in PyTorch on CPU, on the same machine.
//
//   dlp native   node packages/cli/dist/main.js train --setup numpy --json --backend native
//   NumPy        bench/peers/mlp_numpy.py   (float32, OpenBLAS, T threads)
//   PyTorch      bench/peers/mlp_torch.py   (float32, CPU, T threads)
//
// Each run is a whole process (data loading, 1400 steps, 15 evaluations on the test set) under
// `/usr/bin/time -v`, which gives its wall time and peak resident memory. The three run ONE AT
// A TIME, never concurrently, in that order; the whole sequence is repeated R times (--repeats,
// default 3) and the report gives the median over the repeats. Writes docs/results/numpy-mlp.md
// (tables, ratios dlp/peer, machine facts, commands) and docs/results/numpy-mlp.jsonl (every
// JSON line the runs printed, tagged with implementation and repeat, plus one "process" line per
// run), each atomically.
//
// Usage (from anywhere; paths are relative to the repository root):
//   pnpm build                                       # the dlp CLI and its native backend
//   node bench/mlp-side-by-side.mjs [--repeats R] [--threads T] [--steps N] [--data-dir DIR]
//        [--skip-numpy] [--skip-torch] [--skip-dlp] [--python PATH] [--dlp-cli PATH] [--out-dir DIR]
// Only relies on the `dlp train --json` contract (eval lines, then a done line). No dependencies
// beyond Node itself and GNU time (`apt-get install -y time`). Measure on a quiet machine.

import os from 'node:os';
import { makeFail, parseArgs, requireCifar, requireDlpCli, rel, RUN_FLAGS, runDefaults } from './lib/options.mjs';
import { commandLine, requireGnuTime, runRepeats } from './lib/process-run.mjs';
import { loadAtStart, machineFacts, machineLines, median, reproduceSection, secs, spread, thisCommand, writeResults } from './lib/report.mjs';

const NAME = 'mlp-side-by-side';
const fail = makeFail(NAME);

function usage() {
  return `usage: node bench/mlp-side-by-side.mjs [options]
  --repeats R        run the whole sequence R times, report medians (default 3)
  --threads T        threads for all three (default 2): peers' --threads, RAYON_NUM_THREADS for dlp
  --steps N          training steps, passed to all three (default: the experiment's 1400; for smoke tests)
  --data-dir DIR     folder holding cifar-10-batches-bin/ (default: ../shared/datasets from the repository root)
  --skip-numpy       leave the NumPy peer out
  --skip-torch       leave the PyTorch peer out
  --skip-dlp         leave dlp out (to try the peers alone; no ratios)
  --python PATH      interpreter with numpy and torch (default: $DLP_BENCH_PYTHON, else /usr/bin/python3)
  --dlp-cli PATH     the dlp CLI entry (default: packages/cli/dist/main.js)
  --out-dir DIR      where numpy-mlp.md and numpy-mlp.jsonl go (default: docs/results)
`;
}

const opts = parseArgs(
  process.argv.slice(2),
  { ...runDefaults(), skipNumpy: false, skipTorch: false, skipDlp: false },
  { ...RUN_FLAGS, '--skip-numpy': ['skipNumpy'], '--skip-torch': ['skipTorch'], '--skip-dlp': ['skipDlp'] },
  { fail, usage },
);

// --- preconditions ------------------------------------------------------------------------
requireGnuTime(fail);
if (!opts.skipDlp) requireDlpCli(opts.dlpCli, fail, ' (or pass --skip-dlp)');
if (opts.skipDlp && opts.skipNumpy && opts.skipTorch) fail('nothing to run: every implementation is skipped');
requireCifar(opts.dataDir, fail);

// --- what to run --------------------------------------------------------------------------
const T = String(opts.threads);
const stepsArgs = opts.steps ? ['--steps', String(opts.steps)] : [];
const dataArgs = ['--data-dir', opts.dataDir];
const impls = [
  !opts.skipDlp && {
    id: 'dlp',
    label: 'dlp native',
    cmd: 'node',
    // dlp train has no --threads flag: the native kernels use rayon's global pool, which
    // RAYON_NUM_THREADS sizes. --out is filled in per run (a temporary folder).
    env: { RAYON_NUM_THREADS: T },
    args: [rel(opts.dlpCli), 'train', '--setup', 'numpy', '--json', '--backend', 'native', ...stepsArgs, ...dataArgs],
    outFlag: true,
  },
  !opts.skipNumpy && {
    id: 'numpy',
    label: 'NumPy',
    cmd: opts.python,
    env: {},
    args: ['bench/peers/mlp_numpy.py', '--threads', T, ...stepsArgs, ...dataArgs],
  },
  !opts.skipTorch && {
    id: 'torch',
    label: 'PyTorch',
    cmd: opts.python,
    env: {},
    args: ['bench/peers/mlp_torch.py', '--threads', T, ...stepsArgs, ...dataArgs],
  },
].filter(Boolean);

// --- aggregate and write ------------------------------------------------------------------
function summarize(runs) {
  const pick = (f) => runs.map(f).filter((x) => typeof x === 'number');
  const m = (f) => { const xs = pick(f); return xs.length ? median(xs) : null; };
  return {
    processWall: m((r) => r.processWall),
    processWallSpread: spread(pick((r) => r.processWall)),
    wall: m((r) => r.done.wall_s),
    load: m((r) => r.done.load_s),
    stepsPerS: m((r) => r.done.train_steps_per_s),
    accuracies: runs.map((r) => r.done.test_accuracy),
    testLoss: m((r) => r.done.test_loss),
    maxRssMiB: m((r) => r.maxRssKiB / 1024),
    peakRssMiB: Math.max(...runs.map((r) => r.maxRssKiB / 1024)),
  };
}

async function main() {
  const facts = machineFacts();
  const loadStart = loadAtStart(NAME);
  const started = new Date();
  const { raw, byKey: byImpl, infos } = await runRepeats(impls, opts.repeats, { fail, outDir: opts.outDir });
  const loadEnd = os.loadavg();
  const finished = new Date();

  const S = Object.fromEntries(impls.map((i) => [i.id, summarize(byImpl.get(i.id))]));
  const steps = byImpl.get(impls[0].id)[0].done.steps;
  const accText = (xs) => {
    const distinct = [...new Set(xs.map((x) => x.toFixed(4)))];
    return distinct.length === 1 ? distinct[0] : `${median(xs).toFixed(4)} (${xs.map((x) => x.toFixed(4)).join(', ')})`;
  };
  const rows = impls.map((i) => {
    const s = S[i.id];
    return `| ${i.label} | ${secs(s.processWall)} | ${s.processWallSpread} | ${secs(s.wall)} | ${secs(s.load)} | ${s.stepsPerS.toFixed(0)} | ${accText(s.accuracies)} | ${s.testLoss.toFixed(4)} | ${s.maxRssMiB.toFixed(0)} MiB |`;
  });
  const ratioRows = [];
  if (S.dlp) {
    for (const [id, name] of [['torch', 'PyTorch'], ['numpy', 'NumPy']]) {
      const p = S[id];
      if (!p) { ratioRows.push(`| dlp / ${name} | skipped | | | |`); continue; }
      const r = (a, b) => (a != null && b ? (a / b).toFixed(2) : '–');
      ratioRows.push(`| dlp / ${name} | ${r(S.dlp.processWall, p.processWall)} | ${r(S.dlp.wall, p.wall)} | ${r(S.dlp.stepsPerS, p.stepsPerS)} | ${r(S.dlp.maxRssMiB, p.maxRssMiB)} |`);
    }
  }
  const torch = infos.torch;
  const numpy = infos.numpy;
  const command = thisCommand('bench/mlp-side-by-side.mjs');
  const md = `# Manual MLP ("NumPy part"): dlp vs NumPy and PyTorch, whole runs

Generated by \`${command}\` (${started.toISOString()} – ${finished.toISOString()}).

The experiment: CIFAR-10 minus the training mean image, MLP 3072 → 100 → 10 (Linear with
N(0, 1e-4²) weights, ELU, Linear, SoftMax), cross-entropy, hand-written backward, plain SGD
lr 1e-3, batch 200, ${steps} steps${steps === 1400 ? '' : ' (a shortened run: the experiment is 1400)'}, seed 42, evaluation on the full 10 000-image test
set after the first step, every 100 steps and after the last. Each run is a whole process
under \`/usr/bin/time -v\`; the implementations ran one at a time, never concurrently, and the
whole sequence ran ${opts.repeats} time(s): every figure is the median over those repeats.
Every raw line is in [numpy-mlp.jsonl](numpy-mlp.jsonl).

- *process wall*: the whole process, start-up (Node / Python and \`import torch\`) included;
- *in-run wall*: the run's own \`wall_s\`, from before reading the data to the end of the last
  evaluation (start-up excluded); *loading* is reading + preprocessing the data (the peers'
  \`load_s\`; dlp does not report it);
- *train steps/s*: steps / time in training steps (batching included, evaluations excluded);
- *spread*: (max − min) / median of the process wall time over the repeats: a large spread
  means a noisy machine;
- *peak RSS*: GNU time's "Maximum resident set size", median over the repeats.

## Results (${T} thread${T === '1' ? '' : 's'})

| implementation | process wall | spread | in-run wall | loading | train steps/s | final test accuracy | final test loss | peak RSS |
|---|---:|---:|---:|---:|---:|---:|---:|---:|
${rows.join('\n')}

${S.dlp ? `## Ratios

Time ratios < 1 and steps/s ratios > 1 mean dlp is faster.

| | process wall time | in-run wall time | train steps/s | peak RSS |
|---|---:|---:|---:|---:|
${ratioRows.join('\n')}
` : '(dlp was skipped: no ratios.)\n'}
## Machine

${machineLines(facts, loadStart, loadEnd).join('\n')}
- dlp: commit ${facts.commit}${infos.dlp?.backend_detail ? `; ${infos.dlp.backend_detail}` : ''}${S.dlp ? `; RAYON_NUM_THREADS=${T}` : '; skipped'}
- NumPy: ${numpy ? `numpy ${numpy.numpy}, Python ${numpy.python}; BLAS: ${numpy.blas}` : 'skipped'}
- PyTorch: ${torch ? `${torch.torch}, Python ${torch.python}; BLAS: ${torch.blas}; torch threads ${torch.torch_threads}; formulation: ${torch.formulation}` : 'skipped'}
- data: ${opts.dataDir}

${reproduceSection(command, opts.repeats, impls.map((i) => commandLine(i)))}`;
  writeResults(NAME, opts.outDir, 'numpy-mlp', raw, md);
  process.stdout.write(md);
}

await main();
