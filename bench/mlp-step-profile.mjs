#!/usr/bin/env node
// Where one training step of the autograd MLP setups 1, 5 and 6 spends its time, on the native
// backend: each kernel at each shape (the GEMMs with their GFLOPS and share of the FMA peak,
// BatchNorm, ELU, the loss, the optimiser), and what is left outside the kernels (the tape,
// allocation, JavaScript between calls: the step's time minus the kernels' sum).
//
// Each setup's trainer (train.getSetup(name).build, as `dlp train` builds it) takes random
// batches of its batch size (the step's cost does not depend on the pixels). Per round and per
// setup: S steps untimed by kernel (the step time), then S steps with a KernelProfile recording
// (the split). Medians over the rounds. The FMA peak is measured in the same run
// (bench/fma-peak).
//
//   pnpm build && node bench/mlp-step-profile.mjs [--rounds R] [--steps S] [--setups 1,5,6] [--out-dir DIR]
// Writes <out-dir>/mlp-step-profile.md and .jsonl (default docs/results). Measure on a quiet machine.

import os from 'node:os';
import { getBackend, KernelProfile, Rng, train } from '../packages/core/dist/index.js';
import { describeFmaPeak, FMA_PEAK_COMMAND, measureFmaPeak } from './lib/fma-peak.mjs';
import { makeFail, parseArgs, posInt, text } from './lib/options.mjs';
import { loadAtStart, machineFacts, machineLines, median, thisCommand, writeResults } from './lib/report.mjs';

const NAME = 'mlp-step-profile';
const fail = makeFail(NAME);
const usage = () => 'usage: node bench/mlp-step-profile.mjs [--rounds R] [--steps S] [--setups 1,5,6] [--out-dir DIR]\n';
const o = parseArgs(
  process.argv.slice(2),
  { rounds: 5, steps: 30, setups: '1,5,6', outDir: 'docs/results' },
  { '--rounds': ['rounds', posInt], '--steps': ['steps', posInt], '--setups': ['setups', text], '--out-dir': ['outDir', text] },
  { fail, usage },
);

const backend = getBackend('native');
const loadStart = loadAtStart(NAME);
const fma = measureFmaPeak(2);
const peak = fma.peak[1];
const raw = [...fma.lines];

/** The setup's trainer and a random batch of its size. */
function prepare(name) {
  const preset = train.getSetup(name);
  const trainer = preset.build({ backend, rng: new Rng(42), lr: preset.defaults.lr });
  const rows = preset.defaults.batchSize;
  const rng = new Rng(7);
  const pixels = Float32Array.from({ length: rows * 3072 }, () => rng.normal() * 60);
  const labels = Uint8Array.from({ length: rows }, () => rng.nextInt(10));
  const batch = { labels, loadImages: (into) => backend.view(into.storage).set(pixels) };
  return { preset, trainer, batch };
}

/** What a GEMM computes in a linear layer, from its transposes: forward, input or weight gradient. */
function gemmRole(shape) {
  const parts = shape.split(' ');
  const v = Object.fromEntries(parts.filter((p) => p.includes('=')).map((p) => p.split('=')));
  const role = parts.includes('transB') ? 'forward x·Wᵀ' : parts.includes('transA') ? 'weight grad gᵀ·x' : 'input grad g·W';
  return `${role}, m=${v.m} n=${v.n} k=${v.k}`;
}

const setups = o.setups.split(',');
const results = [];
for (const name of setups) {
  const { preset, trainer, batch } = prepare(name);
  for (let i = 0; i < 10; i++) trainer.trainStep(batch); // warm-up: buffers, pool threads
  const stepMs = [];
  const profiledMs = [];
  const byKey = new Map();
  for (let r = 0; r < o.rounds; r++) {
    let t0 = performance.now();
    for (let s = 0; s < o.steps; s++) trainer.trainStep(batch);
    stepMs.push((performance.now() - t0) / o.steps);

    const profile = new KernelProfile().start();
    t0 = performance.now();
    for (let s = 0; s < o.steps; s++) trainer.trainStep(batch);
    profiledMs.push((performance.now() - t0) / o.steps);
    profile.stop();
    for (const e of profile.entries()) {
      const key = `${e.kernel} ${e.shape}`;
      if (!byKey.has(key)) byKey.set(key, { kernel: e.kernel, shape: e.shape, ms: Array(o.rounds).fill(0), callsPerStep: e.calls / o.steps, flopsPerStep: e.flops === undefined ? undefined : e.flops / o.steps });
      byKey.get(key).ms[r] = (e.seconds * 1000) / o.steps;
    }
    process.stderr.write(`${NAME}: setup ${name} round ${r + 1}/${o.rounds}: ${stepMs.at(-1).toFixed(2)} ms/step (${profiledMs.at(-1).toFixed(2)} profiled)\n`);
  }
  const kernels = [...byKey.values()].map((e) => ({ kernel: e.kernel, shape: e.shape, callsPerStep: e.callsPerStep, ms: median(e.ms), flopsPerStep: e.flopsPerStep }));
  kernels.sort((a, b) => b.ms - a.ms);
  const step = median(stepMs);
  const profiled = median(profiledMs);
  const gemmFlops = kernels.reduce((s, k) => s + (k.flopsPerStep ?? 0), 0);
  const result = { setup: name, batch: preset.defaults.batchSize, step_ms: step, profiled_step_ms: profiled, gemm_gflop_per_step: gemmFlops / 1e9, kernels };
  results.push(result);
  raw.push(JSON.stringify({ setup: name, step_ms: stepMs, profiled_step_ms: profiledMs, kernels }));
}
const loadEnd = os.loadavg();

const pct = (x) => `${(x * 100).toFixed(0)}%`;
const ms = (x) => x.toFixed(x < 0.1 ? 3 : 2);
const sections = results.map((r) => {
  const kernelSum = r.kernels.reduce((s, k) => s + k.ms, 0);
  const outside = r.profiled_step_ms - kernelSum;
  const gemmMs = r.kernels.filter((k) => k.kernel === 'gemm').reduce((s, k) => s + k.ms, 0);
  // Kernel-shapes under 0.5% of the step each are summed in one row.
  const small = r.kernels.filter((k) => k.ms < 0.005 * r.profiled_step_ms);
  const smallMs = small.reduce((s, k) => s + k.ms, 0);
  const rows = r.kernels.filter((k) => !small.includes(k)).map((k) => {
    const what = k.kernel === 'gemm' ? gemmRole(k.shape) : k.shape;
    const gflops = k.flopsPerStep ? k.flopsPerStep / (k.ms / 1000) / 1e9 : undefined;
    return `| ${k.kernel} | ${what} | ${k.callsPerStep} | ${ms(k.ms)} | ${pct(k.ms / r.profiled_step_ms)} | ${gflops ? gflops.toFixed(0) : ''} | ${gflops ? pct(gflops / peak) : ''} |`;
  });
  const stepShare = r.gemm_gflop_per_step / (r.step_ms / 1000) / peak;
  return `## Setup ${r.setup} (batch ${r.batch}): ${ms(r.step_ms)} ms per step

- ${train.getSetup(r.setup).description}
- GEMM work: ${r.gemm_gflop_per_step.toFixed(3)} GFLOP per step; at the FMA peak (${peak.toFixed(0)} GFLOPS) that is ${ms((r.gemm_gflop_per_step / peak) * 1000)} ms. The step runs at **${pct(stepShare)} of the peak** (GEMM flops / step time).
- With the profile recording the step took ${ms(r.profiled_step_ms)} ms (plain steps of the same rounds: ${ms(r.step_ms)} ms; the difference is the timing around each call plus the machine's noise); of that, GEMMs ${ms(gemmMs)} ms (${pct(gemmMs / r.profiled_step_ms)}), other kernels ${ms(kernelSum - gemmMs)} ms (${pct((kernelSum - gemmMs) / r.profiled_step_ms)}), outside the kernels ${ms(outside)} ms (${pct(outside / r.profiled_step_ms)}).

| kernel | shape | calls / step | ms / step | share of step | GFLOPS | share of FMA peak |
|---|---|---:|---:|---:|---:|---:|
${rows.join('\n')}
| (${small.length} more) | kernel-shapes under 0.5% of the step each: ${[...new Set(small.map((k) => k.kernel))].join(', ')} | ${small.reduce((s, k) => s + k.callsPerStep, 0)} | ${ms(smallMs)} | ${pct(smallMs / r.profiled_step_ms)} | | |
| (outside the kernels) | tape, allocation, JavaScript between calls | | ${ms(outside)} | ${pct(outside / r.profiled_step_ms)} | | |
`;
});

const facts = machineFacts();
const md = `# Where an MLP training step's time goes (native backend)

Generated by \`${thisCommand('bench/mlp-step-profile.mjs')}\` (${new Date().toISOString()}).

Each setup's trainer as \`dlp train\` builds it, random batches of its batch size, on the native
backend, ${backend.describe()}; ${o.rounds} rounds of ${o.steps} plain steps (the step time) then
${o.steps} steps with a \`KernelProfile\` recording (the split), after 10 warm-up steps; medians over
the rounds. A kernel's time is the wall time of its synchronous call, argument passing through
the binding included. "GEMM role": forward x·Wᵀ, input gradient g·W, weight gradient gᵀ·x, with
C m×n and inner dimension k (GFLOPS = 2·m·n·k / time).

FMA peak measured in this run (\`${FMA_PEAK_COMMAND}\`): ${describeFmaPeak(fma)} GFLOPS. The
shares below are of the 2-thread peak, ${peak.toFixed(0)} GFLOPS.

${sections.join('\n')}
## Machine

${machineLines(facts, loadStart, loadEnd).join('\n')}
- dlp: commit ${facts.commit}
`;
writeResults(NAME, o.outDir, 'mlp-step-profile', raw, md);
process.stdout.write(md);
