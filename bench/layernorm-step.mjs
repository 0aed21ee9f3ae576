#!/usr/bin/env node
// Setup 7's training step (3072-1024-512-256-64-10, LayerNorm before each Linear, ELU, Adam,
// batch 128) with each LayerNorm form in the same process, on the native backend:
//   kernel     nn.LayerNorm: the fused Rust kernel forward and backward (what setup 7 runs)
//   autograd   nn.CustomLayerNormAutograd: mean/variance/arithmetic ops, autograd backward
//   manual     nn.CustomLayerNormManualModule: the hand-written autograd function
// Random inputs and labels (the step's cost does not depend on the pixels). The forms run in
// interleaved rounds (kernel, autograd, manual, kernel, ...) so drifts of the shared machine hit
// all three alike; the report gives each form's median ms per step and its ratio to the kernel.
//
//   pnpm build && node bench/layernorm-step.mjs [--rounds R] [--steps N] [--out-dir DIR]
// Writes <out-dir>/layernorm-step.md and .jsonl (default docs/results). Measure on a quiet machine.

import os from 'node:os';
import { getBackend, models, nn, optim, Rng, Tensor, train } from '../packages/core/dist/index.js';
import { median, writeResults } from './lib/report.mjs';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const rounds = Number(flag('rounds', 5));
const steps = Number(flag('steps', 40));
const outDir = flag('out-dir', 'docs/results');
if (!(Number.isInteger(rounds) && rounds > 0 && Number.isInteger(steps) && steps > 1)) {
  process.stderr.write('layernorm-step: --rounds and --steps must be positive integers (steps > 1)\n');
  process.exit(2);
}

const backend = getBackend('native');
const hidden = [1024, 512, 256, 64];
const batch = 128;

/** Setup 7's layer stack with `makeNorm(features)` before each Linear. */
function build(makeNorm) {
  const rng = new Rng(42);
  const widths = [3072, ...hidden, 10];
  const layers = [];
  for (let i = 0; i + 1 < widths.length; i++) {
    layers.push(makeNorm(widths[i]));
    layers.push(new nn.Linear(widths[i], widths[i + 1], { backend, rng }));
    if (i + 2 < widths.length) layers.push(new nn.ELU());
  }
  const model = new nn.Sequential(...layers);
  return new train.AutogradTrainer(model, new optim.Adam(model.parameters(), { lr: 1e-3 }), { backend });
}

const forms = {
  kernel: () => build((f) => new nn.LayerNorm(f, { backend })),
  autograd: () => build((f) => new nn.CustomLayerNormAutograd(f, { backend })),
  manual: () => build((f) => new nn.CustomLayerNormManualModule(f, { backend })),
};

const rng = new Rng(1);
const pixels = Float32Array.from({ length: batch * 3072 }, () => rng.normal() * 60);
const labels = Uint8Array.from({ length: batch }, () => rng.nextInt(10));
const batchOf = { labels, loadImages: (into) => backend.view(into.storage).set(pixels) };

const trainers = Object.fromEntries(Object.entries(forms).map(([name, make]) => [name, make()]));
const times = Object.fromEntries(Object.keys(forms).map((name) => [name, []]));
const raw = [];
for (const trainer of Object.values(trainers)) for (let i = 0; i < 3; i++) trainer.trainStep(batchOf); // warm-up
for (let r = 0; r < rounds; r++) {
  for (const [name, trainer] of Object.entries(trainers)) {
    const t0 = performance.now();
    for (let s = 0; s < steps; s++) trainer.trainStep(batchOf);
    const ms = (performance.now() - t0) / steps;
    times[name].push(ms);
    raw.push(JSON.stringify({ form: name, round: r + 1, steps, ms_per_step: ms }));
    process.stderr.write(`round ${r + 1}/${rounds} ${name}: ${ms.toFixed(2)} ms/step\n`);
  }
}

const kernel = median(times.kernel);
const rows = Object.keys(forms).map((name) => {
  const m = median(times[name]);
  return `| ${name} | ${m.toFixed(2)} | ${Math.min(...times[name]).toFixed(2)}–${Math.max(...times[name]).toFixed(2)} | ${(m / kernel).toFixed(2)} |`;
});
const md = [
  '# Setup 7: training step with each LayerNorm form',
  '',
  `Made by \`node bench/layernorm-step.mjs --rounds ${rounds} --steps ${steps}\` on ${new Date().toISOString().slice(0, 10)}, `
    + `${os.cpus()[0]?.model.trim()}, ${backend.describe()}. Setup 7's network (3072-1024-512-256-64-10, LayerNorm before `
    + 'each Linear, ELU, Adam, batch 128) on random inputs; forms interleaved in rounds; median of the rounds.',
  '',
  '| LayerNorm form | ms per step (median) | min–max | / kernel |',
  '|---|---:|---:|---:|',
  ...rows,
  '',
  '`kernel` is `nn.LayerNorm` (fused Rust kernel forward and backward, what `dlp train --setup 7` runs);',
  '`autograd` composes mean/variance/arithmetic ops; `manual` is the hand-written autograd function.',
  '',
].join('\n');
writeResults('layernorm-step', outDir, 'layernorm-step', raw, md);
process.stdout.write(md);
