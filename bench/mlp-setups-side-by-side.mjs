#!/usr/bin/env node
// Side-by-side speed of dlp's autograd MLP setups (`dlp train --setup N`, the practical's
// "PyTorch part") against the same setups in PyTorch on CPU, on the same machine:
//
//   dlp native   RAYON_NUM_THREADS=T node packages/cli/dist/main.js train --setup N --json --backend native
//   PyTorch      bench/peers/mlp_setups_torch.py --setup N --threads T   (float32, CPU, T threads)
//
// Reported, as ratios dlp / PyTorch: the seconds per training step of each setup (1 / the run's
// train_steps_per_s: time in training steps only, evaluations excluded, in both), and for setup
// 1 the wall time of its full run (1400 steps, 15 evaluations on the test set). Setups other
// than 1 are timed over --step-steps steps (default 300) instead of their full 2000-10000.
//
// Each run is a whole process under `/usr/bin/time -v` (wall time, peak resident memory). For
// each repeat, for each setup, dlp runs and then PyTorch, ONE AT A TIME, never concurrently;
// the whole sequence is repeated R times (--repeats, default 3) and the report gives medians
// and the min–max over the repeats. Writes docs/results/mlp-setups-speed.md (tables, machine
// facts, commands) and docs/results/mlp-setups-speed.jsonl (every JSON line the runs printed,
// tagged with setup, implementation and repeat, plus one "process" line per run), atomically.
//
// Usage (from anywhere; paths are relative to the repository root):
//   pnpm build                                   # the dlp CLI and its native backend
//   node bench/mlp-setups-side-by-side.mjs [--setups 1,5,6] [--repeats R] [--threads T]
//        [--step-steps N] [--steps N] [--data-dir DIR] [--python PATH] [--dlp-cli PATH] [--out-dir DIR]
// Only relies on the `dlp train --json` contract (eval lines, then a done line). No dependencies
// beyond Node itself and GNU time (`apt-get install -y time`). Measure on a quiet machine.

import os from 'node:os';
import { makeFail, parseArgs, posInt, requireCifar, requireDlpCli, rel, RUN_FLAGS, runDefaults } from './lib/options.mjs';
import { commandLine, requireGnuTime, runRepeats } from './lib/process-run.mjs';
import { loadAtStart, machineFacts, machineLines, median, reproduceSection, thisCommand, writeResults } from './lib/report.mjs';

const NAME = 'mlp-setups-side-by-side';
const OUT_BASE = 'mlp-setups-speed';
const fail = makeFail(NAME);

// The setups as dlp and the peer define them (`dlp train --help`, bench/peers/mlp_setups_torch.py).
const DEEP = '3072-1024-512-256-64-10';
const SETUPS = {
  1: { steps: 1400, what: '3072-100-10, no norm, ELU, SGD, batch 200' },
  2: { steps: 10000, what: '3072-100-10, BatchNorm, ELU, SGD, batch 200' },
  3: { steps: 10000, what: '3072-100-100-10, BatchNorm, ELU, SGD, batch 200' },
  4: { steps: 10000, what: '3072-1024-512-10, BatchNorm, ELU, SGD, batch 200' },
  5: { steps: 10000, what: `${DEEP}, BatchNorm, ELU, SGD, batch 128` },
  6: { steps: 2000, what: `${DEEP}, BatchNorm, ELU, Adam, batch 128` },
  7: { steps: 2000, what: `${DEEP}, LayerNorm, ELU, Adam, batch 128` },
  8: { steps: 2000, what: `${DEEP}, BatchNorm, ReLU, Adam, batch 128` },
  9: { steps: 5000, what: `${DEEP}, BatchNorm, Tanh, Adam, batch 128` },
};
const KNOWN = Object.keys(SETUPS).join(', ');

function usage() {
  return `usage: node bench/mlp-setups-side-by-side.mjs [options]
  --setups LIST      comma-separated setups to time (default 1,5,6; known: ${KNOWN})
  --repeats R        run the whole sequence R times, report medians and min–max (default 3)
  --threads T        threads for both (default 2): the peer's --threads, RAYON_NUM_THREADS for dlp
  --step-steps N     steps of the per-step timing runs of the setups other than 1 (default 300)
  --steps N          steps for every setup, setup 1 included (default: setup 1 runs its full 1400,
                     the others --step-steps; for smoke tests)
  --data-dir DIR     folder holding cifar-10-batches-bin/ (default: ../shared/datasets from the repository root)
  --python PATH      interpreter with torch (default: $DLP_BENCH_PYTHON, else /usr/bin/python3)
  --dlp-cli PATH     the dlp CLI entry (default: packages/cli/dist/main.js)
  --out-dir DIR      where ${OUT_BASE}.md and ${OUT_BASE}.jsonl go (default: docs/results)
`;
}

function parseSetups(v, bad) {
  const list = v.split(',').map((x) => x.trim()).filter(Boolean);
  if (!list.length) bad('wants a comma-separated list of setups');
  for (const x of list) if (!Object.hasOwn(SETUPS, x)) bad(`names an unknown setup '${x}' (known: ${KNOWN})`);
  return [...new Set(list)];
}

const opts = parseArgs(
  process.argv.slice(2),
  { ...runDefaults(), setups: ['1', '5', '6'], stepSteps: 300 },
  { ...RUN_FLAGS, '--setups': ['setups', parseSetups], '--step-steps': ['stepSteps', posInt] },
  { fail, usage },
);

// --- preconditions ------------------------------------------------------------------------
requireGnuTime(fail);
requireDlpCli(opts.dlpCli, fail);
requireCifar(opts.dataDir, fail);

// --- what to run --------------------------------------------------------------------------
const T = String(opts.threads);
const stepsOf = (setup) => opts.steps ?? (setup === '1' ? SETUPS[setup].steps : opts.stepSteps);
const isFull = (setup) => stepsOf(setup) === SETUPS[setup].steps;
const dataArgs = ['--data-dir', opts.dataDir];
const plan = opts.setups.flatMap((setup) => {
  // A full-length run is run as the setup defines it (no --steps).
  const stepsArgs = isFull(setup) ? [] : ['--steps', String(stepsOf(setup))];
  const run = (id) => ({ id, key: `${setup}:${id}`, name: `${id} setup ${setup}`, tags: { setup, impl: id } });
  return [
    {
      ...run('dlp'),
      label: `dlp native (setup ${setup})`,
      cmd: 'node',
      // dlp train has no --threads flag: the native kernels use rayon's global pool, which
      // RAYON_NUM_THREADS sizes. --out is filled in per run (a temporary folder).
      env: { RAYON_NUM_THREADS: T },
      args: [rel(opts.dlpCli), 'train', '--setup', setup, '--json', '--backend', 'native', ...stepsArgs, ...dataArgs],
      outFlag: true,
    },
    {
      ...run('torch'),
      label: `PyTorch (setup ${setup})`,
      cmd: opts.python,
      env: {},
      args: ['bench/peers/mlp_setups_torch.py', '--setup', setup, '--threads', T, ...stepsArgs, ...dataArgs],
    },
  ];
});

// --- aggregate ----------------------------------------------------------------------------
/** Median, min and max of one figure over the repeats. */
function stat(xs) {
  return { med: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length };
}
/** The figure per repeat of dlp and PyTorch, and their ratio per repeat (the pair ran back to back). */
function compare(dlpRuns, torchRuns, f) {
  const d = dlpRuns.map(f);
  const t = torchRuns.map(f);
  return { dlp: stat(d), torch: stat(t), ratio: stat(d.map((x, i) => x / t[i])) };
}

const ms = (x) => {
  const v = x * 1000;
  return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ms`;
};
const s2 = (x) => `${x.toFixed(2)} s`;
const mib = (x) => `${(x / 1024).toFixed(0)} MiB`;
const r2 = (x) => x.toFixed(2);
/** min–max over the repeats, the unit written once ('–' for a single repeat). */
const range = (st, f) => {
  if (st.n < 2) return '–';
  const [lo, hi] = [f(st.min), f(st.max)];
  const unit = lo.match(/ \S+$/)?.[0];
  return `${unit && hi.endsWith(unit) ? lo.slice(0, -unit.length) : lo}–${hi}`;
};
/** The cells: median dlp, median torch, ratio of the medians, then the three min–max ranges. */
const cells = (c, f) =>
  [f(c.dlp.med), f(c.torch.med), r2(c.dlp.med / c.torch.med), range(c.dlp, f), range(c.torch, f), range(c.ratio, r2)].join(' | ');

function tables(byKey) {
  const runs = (setup) => [byKey.get(`${setup}:dlp`), byKey.get(`${setup}:torch`)];
  const stepRows = opts.setups.map((setup) => {
    const c = compare(...runs(setup), (r) => 1 / r.done.train_steps_per_s);
    return `| ${setup} | ${SETUPS[setup].what} | ${stepsOf(setup)} | ${cells(c, ms)} |`;
  });
  const wallSetups = opts.setups.filter((s) => s === '1' || isFull(s));
  const wallRows = wallSetups.flatMap((setup) => {
    const [d, t] = runs(setup);
    const steps = `${stepsOf(setup)}${isFull(setup) ? '' : ` (shortened: the full run is ${SETUPS[setup].steps})`}`;
    const acc = (rs) => median(rs.map((r) => r.done.test_accuracy)).toFixed(4);
    return [
      `| ${setup} | ${steps} | process wall | ${cells(compare(d, t, (r) => r.processWall), s2)} |`,
      `| ${setup} | ${steps} | in-run \`wall_s\` | ${cells(compare(d, t, (r) => r.done.wall_s), s2)} |`,
      `| ${setup} | ${steps} | final test accuracy | ${acc(d)} | ${acc(t)} | | | | |`,
    ];
  });
  const rssRows = opts.setups.map((setup) => {
    const c = compare(...runs(setup), (r) => r.maxRssKiB);
    return `| ${setup} | ${stepsOf(setup)} | ${cells(c, mib)} |`;
  });
  const head = 'dlp native | PyTorch | dlp / PyTorch | dlp min–max | PyTorch min–max | ratio min–max |';
  const rule = '|---:|---:|---:|---:|---:|---:|';
  return `## Seconds per training step (${T} thread${T === '1' ? '' : 's'})

| setup | model, optimiser | steps | ${head}
|---|---|---:${rule}
${stepRows.join('\n')}

${wallSetups.length ? `## Whole run${wallSetups.length === 1 ? ` of setup ${wallSetups[0]}` : 's'}: wall time

| setup | steps | measure | ${head}
|---|---:|---${rule}
${wallRows.join('\n')}
` : '(Setup 1 was not run: no whole-run wall time.)\n'}
## Peak resident memory

| setup | steps | ${head}
|---|---:${rule}
${rssRows.join('\n')}
`;
}

/** Which runs were full length, which shortened, in words. */
function stepsNote() {
  if (opts.steps) return `every run shortened to ${opts.steps} steps with --steps (a smoke test, not a measurement)`;
  const full = opts.setups.filter(isFull).map((s) => `setup ${s}`);
  const short = opts.setups.filter((s) => !isFull(s)).map((s) => `setup ${s} (full run: ${SETUPS[s].steps} steps)`);
  return [
    full.length && `${full.join(', ')} over ${full.length === 1 ? 'its' : 'their'} full run`,
    short.length && `${short.join(', ')} over ${opts.stepSteps} steps (--step-steps), not ${short.length === 1 ? 'its' : 'their'} full run`,
  ].filter(Boolean).join('; ');
}

// --- run and write ------------------------------------------------------------------------
async function main() {
  const facts = machineFacts();
  const loadStart = loadAtStart(NAME);
  const started = new Date();
  const { raw, byKey, infos } = await runRepeats(plan, opts.repeats, { fail, outDir: opts.outDir });
  const loadEnd = os.loadavg();
  const finished = new Date();

  const results = tables(byKey);
  const torch = infos.torch;
  const command = thisCommand('bench/mlp-setups-side-by-side.mjs');
  const md = `# Autograd MLP setups: dlp vs PyTorch on CPU, speed

Generated by \`${command}\` (${started.toISOString()} – ${finished.toISOString()}).

The setups of \`dlp train\` (the practical's "PyTorch part": CIFAR-10 minus the training mean
image, an MLP with the setup's norm layer before each Linear, cross-entropy, autograd, SGD or
Adam) against the same setups written for PyTorch on CPU (float32,
[mlp_setups_torch.py](../../bench/peers/mlp_setups_torch.py)), at ${T} thread${T === '1' ? '' : 's'} each.
Each run is a whole process under \`/usr/bin/time -v\`; for each repeat and each setup, dlp ran
and then PyTorch, one at a time, never concurrently, and the whole sequence ran ${opts.repeats}
time(s). Every figure is the median over those repeats; "min–max" is the range over them (a
wide range means a noisy machine); "ratio min–max" is the range of the ratio of the two runs
of the same repeat, which ran back to back. Ratios are dlp / PyTorch: **< 1 means dlp is
faster** (or smaller). Every raw line is in [${OUT_BASE}.jsonl](${OUT_BASE}.jsonl).

- *seconds per training step*: 1 / the run's \`train_steps_per_s\`, i.e. the time spent in
  training steps (batch gathering, forward, backward, optimiser step) divided by the steps;
  evaluations on the test set are excluded in both, and the first steps (warm-up) are
  included. Steps timed: ${stepsNote()}. The peer's own median per-step time after 10
  warm-up steps (\`step_s_median\`) is in the .jsonl.
- *process wall*: the whole process, start-up (Node / Python and \`import torch\`) and data
  loading included; *in-run \`wall_s\`*: the run's own wall time, from before reading the data
  to the end of the last evaluation (start-up excluded).
- *peak resident memory*: GNU time's "Maximum resident set size".

${results}
## Machine

${machineLines(facts, loadStart, loadEnd).join('\n')}
- dlp: commit ${facts.commit}${infos.dlp?.backend_detail ? `; ${infos.dlp.backend_detail}` : ''}; RAYON_NUM_THREADS=${T}
- PyTorch: ${torch ? `torch ${torch.torch}, Python ${torch.python}, numpy ${torch.numpy}; BLAS: ${torch.blas}; torch threads ${torch.torch_threads}` : 'no info reported'}
- data: ${opts.dataDir}

${reproduceSection(command, opts.repeats, plan.map((run) => commandLine(run)))}`;
  writeResults(NAME, opts.outDir, OUT_BASE, raw, md);
  process.stdout.write(results);
}

await main();
