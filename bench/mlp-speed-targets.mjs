#!/usr/bin/env node
// The CPU speed targets of the MLP work, in one run on one machine: dlp against PyTorch 1.13
// (Debian, OpenBLAS), PyTorch 2.x (pip, MKL + oneDNN) and NumPy 2.x, each figure beside the
// share of the CPU's FMA peak measured in the same run (bench/fma-peak), and each target met or
// not:
//
//   GEMM on the bench's five shapes     dlp bench gemm --backend native vs torch.mm (both PyTorches)
//   setups 1, 5 and 6: s per step       dlp train --setup N vs bench/peers/mlp_setups_torch.py (both)
//   the NumPy part: process wall time   dlp train --setup numpy vs bench/peers/mlp_numpy.py (NumPy 2.x)
//
// Targets: each setup's step at >= 55% of the FMA peak (its GEMMs' flops / the step time) and at
// most 0.65x the faster PyTorch's step; the NumPy part at most 0.6x NumPy's wall time; GEMM at
// >= 80% of the peak on every shape.
//
// Everything runs one process at a time (GNU time for the training runs), the whole sequence R
// times (--repeats); medians over the repeats. Setup 1 and the NumPy part run in full; setups 5
// and 6 over --step-steps steps (default 300).
//
//   pnpm build
//   python3 -m venv V && V/bin/pip install torch numpy        # PyTorch 2.x and NumPy 2.x
//   node bench/mlp-speed-targets.mjs --pip-python V/bin/python [--repeats R] [--threads T]
//        [--step-steps N] [--python /usr/bin/python3] [--data-dir DIR] [--out-dir DIR]
// Writes <out-dir>/mlp-speed-targets.md and .jsonl (default docs/results). Measure on a quiet machine.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { describeFmaPeak, FMA_PEAK_COMMAND, measureFmaPeak } from './lib/fma-peak.mjs';
import { makeFail, parseArgs, posInt, requireCifar, requireDlpCli, rel, ROOT, RUN_FLAGS, runDefaults, text } from './lib/options.mjs';
import { commandLine, requireGnuTime, runRepeats } from './lib/process-run.mjs';
import { loadAtStart, machineFacts, machineLines, median, reproduceSection, thisCommand, writeResults } from './lib/report.mjs';

const NAME = 'mlp-speed-targets';
const fail = makeFail(NAME);
const usage = () => `usage: node bench/mlp-speed-targets.mjs --pip-python PATH [--repeats R] [--threads T] [--step-steps N]
        [--python PATH] [--data-dir DIR] [--dlp-cli PATH] [--out-dir DIR]
  --pip-python PATH  interpreter with PyTorch 2.x and NumPy 2.x from pip (default: $DLP_BENCH_PIP_PYTHON)
  --python PATH      interpreter with Debian's PyTorch 1.13 (default: $DLP_BENCH_PYTHON, else /usr/bin/python3)
  --step-steps N     steps timed for setups 5 and 6 (default 300)
`;
const opts = parseArgs(
  process.argv.slice(2),
  { ...runDefaults(), stepSteps: 300, pipPython: process.env.DLP_BENCH_PIP_PYTHON ?? null },
  { ...RUN_FLAGS, '--step-steps': ['stepSteps', posInt], '--pip-python': ['pipPython', text] },
  { fail, usage },
);
if (!opts.pipPython) fail(`--pip-python is required: an interpreter with PyTorch 2.x and NumPy 2.x from pip\n${usage()}`);
if (!fs.existsSync(opts.pipPython)) fail(`--pip-python ${opts.pipPython} does not exist`);
requireGnuTime(fail);
requireDlpCli(opts.dlpCli, fail);
requireCifar(opts.dataDir, fail);

const T = String(opts.threads);
const PEERS = { torch113: opts.python, torch2: opts.pipPython };
const SETUPS = {
  1: { batch: 200, widths: [3072, 100, 10], norm: false, what: '3072-100-10, ELU, SGD, batch 200' },
  5: { batch: 128, widths: [3072, 1024, 512, 256, 64, 10], norm: true, what: '3072-1024-512-256-64-10, BatchNorm, ELU, SGD, batch 128' },
  6: { batch: 128, widths: [3072, 1024, 512, 256, 64, 10], norm: true, what: 'as 5, Adam' },
};

/** GEMM flops of one training step: forward and weight gradient of every layer, input gradient of all but an input that needs none (the images, unless a norm layer with parameters comes first). */
function stepFlops({ batch, widths, norm }) {
  let flops = 0;
  for (let l = 0; l + 1 < widths.length; l++) {
    const product = 2 * batch * widths[l] * widths[l + 1];
    flops += 2 * product + (l > 0 || norm ? product : 0);
  }
  return flops;
}

// --- the training runs ------------------------------------------------------------------
const dataArgs = ['--data-dir', opts.dataDir];
const stepsArgs = (setup) => (setup === '1' || setup === 'numpy' ? [] : ['--steps', String(opts.stepSteps)]);
const dlpRun = (setup) => ({
  id: 'dlp', key: `${setup}:dlp`, name: `dlp ${setup}`, tags: { setup, impl: 'dlp' }, label: `dlp native (setup ${setup})`,
  cmd: 'node', env: { RAYON_NUM_THREADS: T }, outFlag: true,
  args: [rel(opts.dlpCli), 'train', '--setup', setup, '--json', '--backend', 'native', ...stepsArgs(setup), ...dataArgs],
});
const plan = [
  ...Object.keys(SETUPS).flatMap((setup) => [
    dlpRun(setup),
    ...Object.entries(PEERS).map(([id, python]) => ({
      id, key: `${setup}:${id}`, name: `${id} ${setup}`, tags: { setup, impl: id }, label: `${id} (setup ${setup})`,
      cmd: python, env: {}, args: ['bench/peers/mlp_setups_torch.py', '--setup', setup, '--threads', T, ...stepsArgs(setup), ...dataArgs],
    })),
  ]),
  dlpRun('numpy'),
  { id: 'numpy', key: 'numpy:numpy', name: 'numpy', tags: { setup: 'numpy', impl: 'numpy' }, label: 'NumPy (the NumPy part)',
    cmd: opts.pipPython, env: {}, args: ['bench/peers/mlp_numpy.py', '--threads', T, ...dataArgs] },
];

// --- GEMM: one process per implementation and repeat, JSON lines per shape -----------------
const gemmCommands = {
  dlp: ['node', [rel(opts.dlpCli), 'bench', 'gemm', '--backend', 'native', '--threads', T, '--json']],
  ...Object.fromEntries(Object.entries(PEERS).map(([id, python]) => [id, [python, ['bench/peers/torch_gemm.py', '--threads', T]]])),
};
function runGemm(raw, repeat) {
  const byImpl = {};
  for (const [impl, [cmd, args]] of Object.entries(gemmCommands)) {
    process.stderr.write(`[gemm ${impl} ${repeat}/${opts.repeats}]$ ${cmd} ${args.join(' ')}\n`);
    const run = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, RAYON_NUM_THREADS: T } });
    if (run.status !== 0) fail(`gemm ${impl} failed (${run.status ?? run.error?.code}): ${cmd} ${args.join(' ')}\nnothing was written to ${rel(opts.outDir)}`);
    // The GEMM runs come first: a PyTorch on the reference BLAS is refused here, not after the training runs.
    const info = run.stderr.split('\n').reverse().find((l) => l.startsWith('peer-info '));
    const blas = info ? JSON.parse(info.slice('peer-info '.length)).blas : '';
    if (/reference BLAS/.test(blas)) fail(`${cmd}'s PyTorch runs the reference BLAS (${blas}): install libopenblas0-openmp and run again; nothing was written`);
    const out = run.stdout;
    for (const line of out.trim().split('\n')) {
      const r = JSON.parse(line);
      (byImpl[impl] ??= {})[`${r.m}x${r.k}x${r.n}`] = r.gflops;
      raw.push(JSON.stringify({ workload: 'gemm', impl, repeat, ...r }));
    }
  }
  return byImpl;
}

async function main() {
  const facts = machineFacts();
  const loadStart = loadAtStart(NAME);
  const started = new Date();
  const fma = measureFmaPeak(opts.threads);
  const peak = fma.peak[opts.threads - 1];
  const raw = fma.lines.map((l) => JSON.stringify({ workload: 'fma_peak', ...JSON.parse(l) }));
  const gemm = [];
  for (let r = 1; r <= opts.repeats; r++) gemm.push(runGemm(raw, r));
  const runs = await runRepeats(plan, opts.repeats, { fail, outDir: opts.outDir });
  raw.push(...runs.raw);
  const loadEnd = os.loadavg();

  const pct = (x) => `${(x * 100).toFixed(0)}%`;
  const met = (ok) => (ok ? 'yes' : '**no**');
  const version = (id) => runs.infos[id]?.torch?.split('+')[0] ?? id;

  // GEMM rows.
  const shapes = Object.keys(gemm[0].dlp);
  const gemmMed = (impl, shape) => median(gemm.map((g) => g[impl]?.[shape]).filter((x) => x !== undefined));
  const gemmRows = shapes.map((shape) => {
    const d = gemmMed('dlp', shape);
    const best = Math.max(...Object.keys(PEERS).map((id) => gemmMed(id, shape)));
    return `| ${shape} | ${d.toFixed(0)} | ${Object.keys(PEERS).map((id) => gemmMed(id, shape).toFixed(0)).join(' | ')} | ${(d / best).toFixed(2)} | ${pct(d / peak)} | ${met(d / peak >= 0.8)} |`;
  });

  // Setup rows: seconds per step.
  const stepOf = (key) => median(runs.byKey.get(key).map((r) => 1 / r.done.train_steps_per_s));
  const setupRows = Object.entries(SETUPS).map(([setup, s]) => {
    const d = stepOf(`${setup}:dlp`);
    const peers = Object.keys(PEERS).map((id) => stepOf(`${setup}:${id}`));
    const ratio = d / Math.min(...peers);
    const share = stepFlops(s) / d / 1e9 / peak;
    const msOf = (x) => `${(x * 1000).toFixed(2)} ms`;
    return `| ${setup} | ${s.what} | ${msOf(d)} | ${peers.map(msOf).join(' | ')} | ${ratio.toFixed(2)} | ${(stepFlops(s) / 1e9).toFixed(3)} | ${pct(share)} | ${met(share >= 0.55 && ratio <= 0.65)} |`;
  });

  // The NumPy part: process wall time, in-run wall, accuracy, peak RSS.
  const np = (key, f) => median(runs.byKey.get(key).map(f));
  const wallD = np('numpy:dlp', (r) => r.processWall);
  const wallN = np('numpy:numpy', (r) => r.processWall);
  const numpyInfo = runs.infos.numpy;

  const md = `# MLP speed targets: dlp vs PyTorch 1.13, PyTorch 2.x and NumPy, with the share of the FMA peak

Generated by \`${thisCommand('bench/mlp-speed-targets.mjs')}\` (${started.toISOString()} – ${new Date().toISOString()}).

Everything ran one process at a time on this machine, the whole sequence ${opts.repeats} time(s);
each figure is the median over the repeats. ${T} threads for every implementation (RAYON_NUM_THREADS
for dlp, the peers' \`--threads\`). Raw lines: [mlp-speed-targets.jsonl](mlp-speed-targets.jsonl).

**FMA peak** (f32, measured in this run by \`${FMA_PEAK_COMMAND}\`): ${describeFmaPeak(fma)} GFLOPS.
Shares below are of the ${T}-thread peak, **${peak.toFixed(0)} GFLOPS**.

## GEMM (GFLOPS; target: dlp at >= 80% of the peak on every shape)

Shapes M×K×N, C = A·B, float32, output preallocated (\`dlp bench gemm\`, \`bench/peers/torch_gemm.py\`).

| shape | dlp | PyTorch ${version('torch113')} | PyTorch ${version('torch2')} | dlp / fastest peer | dlp share of peak | target met |
|---|---:|---:|---:|---:|---:|---|
${gemmRows.join('\n')}

(GFLOPS ratio: > 1 means dlp is faster here.)

## Training steps of setups 1, 5 and 6 (target: >= 55% of the peak and <= 0.65× the faster PyTorch)

Seconds per step = 1 / the run's \`train_steps_per_s\` (training steps only, evaluations
excluded, warm-up included); setup 1 over its full 1400 steps, setups 5 and 6 over
${opts.stepSteps}. Share of peak: the step's GEMM flops (forward, weight gradients, input gradients
that are needed) / the step time / the peak.

| setup | model | dlp | PyTorch ${version('torch113')} | PyTorch ${version('torch2')} | dlp / faster PyTorch | GEMM GFLOP per step | dlp share of peak | target met |
|---|---|---:|---:|---:|---:|---:|---:|---|
${setupRows.join('\n')}

## The NumPy part, whole run (target: dlp's process wall time <= 0.6× NumPy's)

| measure | dlp | NumPy ${numpyInfo?.numpy ?? ''} | dlp / NumPy | target met |
|---|---:|---:|---:|---|
| process wall | ${wallD.toFixed(2)} s | ${wallN.toFixed(2)} s | ${(wallD / wallN).toFixed(2)} | ${met(wallD / wallN <= 0.6)} |
| in-run \`wall_s\` | ${np('numpy:dlp', (r) => r.done.wall_s).toFixed(2)} s | ${np('numpy:numpy', (r) => r.done.wall_s).toFixed(2)} s | ${(np('numpy:dlp', (r) => r.done.wall_s) / np('numpy:numpy', (r) => r.done.wall_s)).toFixed(2)} | |
| final test accuracy | ${np('numpy:dlp', (r) => r.done.test_accuracy).toFixed(4)} | ${np('numpy:numpy', (r) => r.done.test_accuracy).toFixed(4)} | | |
| peak RSS | ${(np('numpy:dlp', (r) => r.maxRssKiB) / 1024).toFixed(0)} MiB | ${(np('numpy:numpy', (r) => r.maxRssKiB) / 1024).toFixed(0)} MiB | ${(np('numpy:dlp', (r) => r.maxRssKiB) / np('numpy:numpy', (r) => r.maxRssKiB)).toFixed(2)} | |

## Peak resident memory of the setup runs

| setup | dlp | PyTorch ${version('torch113')} | PyTorch ${version('torch2')} |
|---|---:|---:|---:|
${Object.keys(SETUPS).map((setup) => `| ${setup} | ${['dlp', ...Object.keys(PEERS)].map((id) => `${(np(`${setup}:${id}`, (r) => r.maxRssKiB) / 1024).toFixed(0)} MiB`).join(' | ')} |`).join('\n')}

## Machine

${machineLines(facts, loadStart, loadEnd).join('\n')}
- dlp: commit ${facts.commit}${runs.infos.dlp?.backend_detail ? `; ${runs.infos.dlp.backend_detail}` : ''}
${Object.keys(PEERS).map((id) => { const i = runs.infos[id]; return `- ${id}: ${i ? `torch ${i.torch}, Python ${i.python}, numpy ${i.numpy}; BLAS: ${i.blas}; torch threads ${i.torch_threads}` : 'no info reported'} (${PEERS[id]})`; }).join('\n')}
- NumPy: ${numpyInfo ? `numpy ${numpyInfo.numpy}; BLAS: ${numpyInfo.blas ?? 'unknown'}` : 'no info reported'} (${opts.pipPython})

${reproduceSection(thisCommand('bench/mlp-speed-targets.mjs'), opts.repeats, [
  ...Object.values(gemmCommands).map(([cmd, args]) => [cmd, ...args].join(' ')),
  ...plan.map((run) => commandLine(run)),
])}`;
  writeResults(NAME, opts.outDir, NAME, raw, md);
  process.stdout.write(md);
}

await main();
