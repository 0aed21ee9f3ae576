#!/usr/bin/env node
// Data-parallel scaling over MPI (docs/results/scale-out.md): training steps per second of
// setup 5 and the ConvNet for 1 process and for 2 processes (mpirun, one thread each) on this
// machine, the gradient all-reduce's share of a step, and, from the measured gradient volume
// and single-machine step times at the per-machine batch, what 4, 16 and 64 machines on
// 10 and 100 Gbit/s links would give (a model, stated with its assumptions).
//
// Per round (alternating, so drift hits each alike): 1 process × 1 thread, 2 processes × 1
// thread, 1 process × 2 threads (the usual single-machine setting); then, once, 1 process × 2
// threads at the per-machine batch sizes the projection needs. Medians over the rounds. The FMA
// peak is measured in the same run.
//
//   pnpm build && node bench/scale-out.mjs [--rounds R] [--steps S] [--out-dir DIR]
// Needs mpirun (Open MPI: scripts/setup.sh --test installs it). Measure on a quiet machine.

import { execFileSync } from 'node:child_process';
import { describeFmaPeak, FMA_PEAK_COMMAND, measureFmaPeak } from './lib/fma-peak.mjs';
import { makeFail, parseArgs, posInt, text } from './lib/options.mjs';
import { loadAtStart, machineFacts, machineLines, median, thisCommand, writeResults } from './lib/report.mjs';

const NAME = 'scale-out';
const fail = makeFail(NAME);
const usage = () => 'usage: node bench/scale-out.mjs [--rounds R] [--steps S] [--out-dir DIR]\n';
const o = parseArgs(
  process.argv.slice(2),
  { rounds: 5, steps: 20, outDir: 'docs/results' },
  { '--rounds': ['rounds', posInt], '--steps': ['steps', posInt], '--out-dir': ['outDir', text] },
  { fail, usage },
);

const loadStart = loadAtStart(NAME);
const fma = measureFmaPeak(2);
const raw = [...fma.lines];
const RANK = 'bench/scale-out-rank.mjs';
const MPIRUN = ['mpirun', '--allow-run-as-root', '--oversubscribe', '-n', '2'];

/** One measurement: the rank script's JSON line (rank 0's). */
function measure(setup, { processes = 1, threads = 1, batch, steps = o.steps } = {}) {
  const args = [RANK, '--setup', setup, '--threads', String(threads), '--steps', String(steps), '--warmup', '5', ...(batch ? ['--batch', String(batch)] : [])];
  const [cmd, ...argv] = processes > 1 ? [...MPIRUN, process.execPath, ...args, '--distributed'] : [process.execPath, ...args];
  const line = execFileSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop();
  raw.push(line);
  const r = JSON.parse(line);
  return { stepMs: median(r.step_ms), reduceMs: median(r.allreduce_ms), gradientBytes: r.gradient_bytes, batch: r.batch };
}

const SETUPS = [
  { setup: '5', title: 'setup 5 (MLP 3072-1024-512-256-64-10, BatchNorm, SGD)', batch: 128 },
  { setup: 'convnet', title: 'ConvNet (pre-activation ResNet-style, Adam)', batch: 32 },
];
const configs = { one1: { processes: 1, threads: 1 }, two1: { processes: 2, threads: 1 }, one2: { processes: 1, threads: 2 } };
const results = {};
for (const { setup } of SETUPS) {
  results[setup] = Object.fromEntries(Object.keys(configs).map((k) => [k, []]));
}
for (let r = 0; r < o.rounds; r++) {
  for (const { setup } of SETUPS) {
    for (const [key, config] of Object.entries(configs)) {
      results[setup][key].push(measure(setup, { ...config, steps: setup === 'convnet' ? Math.max(3, Math.round(o.steps / 4)) : o.steps }));
      process.stderr.write(`${NAME}: round ${r + 1}/${o.rounds} ${setup} ${key}: ${results[setup][key].at(-1).stepMs.toFixed(1)} ms\n`);
    }
  }
}

// Per-machine step times (2 threads, as each machine here has 2 cores) at batch B/P.
const MACHINES = [4, 16, 64];
const perMachine = {};
for (const { setup, batch } of SETUPS) {
  perMachine[setup] = {};
  for (const p of MACHINES) {
    const rows = batch / p;
    if (!Number.isInteger(rows) || rows < 1) continue;
    perMachine[setup][p] = measure(setup, { threads: 2, batch: rows, steps: setup === 'convnet' ? 5 : o.steps }).stepMs;
  }
}
const loadEnd = loadAtStart(NAME);

// The communication model: a ring all-reduce moves 2(P−1)/P of the gradients through each
// machine's link and takes 2(P−1) message latencies.
const LINKS = [
  { name: '10 Gbit/s', bytesPerS: 10e9 / 8, latencyS: 30e-6 },
  { name: '100 Gbit/s', bytesPerS: 100e9 / 8, latencyS: 5e-6 },
];
const ringMs = (bytes, p, link) => ((2 * (p - 1)) / p * bytes / link.bytesPerS + 2 * (p - 1) * link.latencyS) * 1000;

const f = machineFacts();
const med = (xs, k) => median(xs.map((x) => x[k]));
const fmt = (x, d = 1) => x.toFixed(d);
let md = `# Data-parallel scaling over MPI

Training steps of setup 5 and the ConvNet, data-parallel over Open MPI as \`dlp train
--distributed mpi\` runs them (rank 0's weights broadcast, each process its shard of every
batch, gradients summed over the processes before the optimiser step; bench/scale-out.mjs).
Random batches of the setup's size; ${o.rounds} rounds alternating the three settings, medians.

## Machine

${machineLines(f, loadStart, loadEnd).join('\n')}
- FMA peak (bench/fma-peak, this run): ${describeFmaPeak(fma)} GFLOPS
- Open MPI: ${execFileSync('mpirun', ['--version'], { encoding: 'utf8' }).split('\n')[0]}; both processes on this machine (shared memory)

## Measured: one machine, 1 and 2 processes

| workload | global batch | 1 process × 1 thread | 2 processes × 1 thread | all-reduce in the 2-process step | speed-up (2 proc / 1 proc) | 1 process × 2 threads |
|---|---:|---:|---:|---:|---:|---:|
`;
for (const { setup, title, batch } of SETUPS) {
  const r = results[setup];
  const [one, two, both] = [med(r.one1, 'stepMs'), med(r.two1, 'stepMs'), med(r.one2, 'stepMs')];
  const reduce = med(r.two1, 'reduceMs');
  md += `| ${title} | ${batch} | ${fmt(one)} ms (${fmt(1000 / one)} steps/s) | ${fmt(two)} ms (${fmt(1000 / two)} steps/s) | ${fmt(reduce)} ms (${fmt((100 * reduce) / two, 0)}%) | ${fmt(one / two, 2)}× | ${fmt(both)} ms (${fmt(1000 / both)} steps/s) |\n`;
}
md += `
"all-reduce" is the time inside the collectives of a step on rank 0 (the gradients, and the
step's loss and count), which includes waiting for the other rank to finish its backward.

## On paper: 4, 16 and 64 machines

Each machine: this one (2 cores, step times measured above with 2 threads at the per-machine
batch). The global batch stays the setup's (strong scaling), so each machine takes B/P rows.
Communication: a ring all-reduce of the gradients, 2(P−1)/P × G bytes through each machine's
link plus 2(P−1) message latencies (assumed: 30 µs on 10 Gbit/s TCP, 5 µs on 100 Gbit/s RDMA),
at the full link rate and not overlapped with the backward (as dlp runs it now). Predicted
step = compute at B/P + all-reduce; speed-up against one machine at the full batch.

`;
for (const { setup, title, batch } of SETUPS) {
  const one = med(results[setup].one2, 'stepMs');
  const bytes = results[setup].two1[0].gradientBytes;
  md += `### ${title}\n\nGradients: ${(bytes / 2 ** 20).toFixed(1)} MiB per step (G). One machine: ${fmt(one)} ms per step at batch ${batch}.\n\n`;
  md += `| machines | batch per machine | compute (measured) | ${LINKS.map((l) => `all-reduce, ${l.name}`).join(' | ')} | ${LINKS.map((l) => `step / speed-up, ${l.name}`).join(' | ')} |\n`;
  md += `|---:|---:|---:|${LINKS.map(() => '---:').join('|')}|${LINKS.map(() => '---:').join('|')}|\n`;
  for (const p of MACHINES) {
    const compute = perMachine[setup][p];
    if (compute === undefined) {
      md += `| ${p} | ${batch}/${p} < 1 | – | ${LINKS.map((l) => `${fmt(ringMs(bytes, p, l))} ms`).join(' | ')} | ${LINKS.map(() => 'n/a: the batch is smaller than the machines').join(' | ')} |\n`;
      continue;
    }
    const cells = LINKS.map((l) => {
      const step = compute + ringMs(bytes, p, l);
      return `${fmt(step)} ms / ${fmt(one / step, 2)}×`;
    });
    md += `| ${p} | ${batch / p} | ${fmt(compute)} ms | ${LINKS.map((l) => `${fmt(ringMs(bytes, p, l))} ms`).join(' | ')} | ${cells.join(' | ')} |\n`;
  }
  md += '\n';
}
const mlpBytes = results['5'].two1[0].gradientBytes;
const mlpStep = med(results['5'].one2, 'stepMs');
const mlpRing10 = ringMs(mlpBytes, 4, LINKS[0]);
const mlpStep4 = perMachine['5'][4] + mlpRing10;
md += `## Reading it

- The all-reduce's cost is the gradient volume over the link: setup 5's ${(mlpBytes / 2 ** 20).toFixed(1)} MiB
  take ${fmt(mlpRing10)} ms over 10 Gbit/s among 4 machines, so their step (${fmt(mlpStep4)} ms) is
  ${mlpStep4 > mlpStep ? 'slower' : 'faster'} than one machine's (${fmt(mlpStep)} ms). On 100 Gbit/s the step shrinks
  until the per-machine compute stops shrinking with the batch (fixed per-step costs: the small
  products, the optimiser over all parameters).
- A batch of 32 (the ConvNet) cannot be split over 64 machines; scaling the ConvNet that far
  means a larger global batch (32 per machine), which changes the optimisation.
- Not done yet, and what would change these numbers: overlapping the all-reduce with the
  backward (buckets sent as their gradients are ready), and NCCL on GPUs.

## Reproduce

\`\`\`sh
pnpm install && pnpm build
${thisCommand('bench/scale-out.mjs')}
# FMA peak: ${FMA_PEAK_COMMAND}
\`\`\`
`;
writeResults(NAME, o.outDir, NAME, raw, md);
