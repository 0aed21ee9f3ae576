#!/usr/bin/env node
// Whole training steps on the cuda backend against the native backend: for each setup, two
// trainers built alike (same seed) take the same batches; each step's loss, the evaluation's
// loss, and every parameter and buffer after the steps must agree within --tolerance
// (relative to the tensor's largest magnitude, at least 1). The kernels' own parity is in
// crates/cuda/tests/parity.rs; this checks the backend as `dlp train --backend cuda` uses it.
//
//   node bench/gpu/cuda-parity.mjs [--setups 1,...,9,numpy,convnet] [--steps 3] [--tolerance 1e-3]
//        [--against native]
// Stdout: one JSON line per setup; exit 1 when any disagrees or fails. Needs packages/core/dist
// and an addon built with DLP_FEATURES=cuda (scripts/gpu/prepare.sh).

import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, makeFail, parseArgs, posInt, text } from '../lib/options.mjs';

const fail = makeFail('cuda-parity');
const usage = () => 'usage: node bench/gpu/cuda-parity.mjs [--setups LIST] [--steps S] [--tolerance T] [--against native]\n';
const o = parseArgs(
  process.argv.slice(2),
  { setups: '1,2,3,4,5,6,7,8,9,numpy,convnet', steps: 3, tolerance: 1e-3, against: 'native', backend: 'cuda' },
  {
    '--setups': ['setups', text], '--steps': ['steps', posInt], '--tolerance': ['tolerance', Number],
    '--against': ['against', text], '--backend': ['backend', text],
  },
  { fail, usage },
);

const core = await import(pathToFileURL(path.join(ROOT, 'packages/core/dist/index.js')).href).catch((e) =>
  fail(`cannot load @dlp/core from packages/core/dist (${e.message}): run \`pnpm build\` first`),
);
const { Rng, getBackend, train } = core;
const device = getBackend(o.backend);
const reference = getBackend(o.against);
process.stderr.write(`cuda-parity: ${device.describe()} against ${reference.describe()}\n`);

/** Random images as batches of `rows` (the gatherCenter path `dlp train` takes). */
function batches(rows, count) {
  const rng = new Rng(11);
  const images = rows * count;
  const pixels = Uint8Array.from({ length: images * 3072 }, () => rng.nextInt(256));
  const mean = Float32Array.from({ length: 3072 }, () => 100 + rng.nextInt(50));
  const labels = Uint8Array.from({ length: images }, () => rng.nextInt(10));
  const split = { pixels, labels, length: images };
  return Array.from({ length: count }, (_, b) => {
    const indices = Uint32Array.from({ length: rows }, (_, r) => b * rows + r);
    return train.imageBatch(split, mean, indices, labels.subarray(b * rows, (b + 1) * rows));
  });
}

/** |a − b| / max(1, max |b|) over the elements. */
function relativeError(a, b) {
  let scale = 1;
  let worst = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst / scale;
}

function runOn(backend, name, data) {
  const preset = train.getSetup(name);
  const trainer = preset.build({ backend, rng: new Rng(42), lr: preset.defaults.lr });
  const losses = data.slice(0, o.steps).map((batch) => trainer.trainStep(batch).loss);
  losses.push(trainer.evaluate(data[o.steps]).loss);
  const state = Object.fromEntries(Object.entries(trainer.stateDict()).map(([key, t]) => [key, t.toArray()]));
  return { losses, state };
}

let failed = false;
for (const name of o.setups.split(',')) {
  const rows = name === 'convnet' ? 32 : train.getSetup(name).defaults.batchSize;
  const data = batches(rows, o.steps + 1);
  const line = { setup: name, steps: o.steps, batch: rows };
  try {
    const t0 = performance.now();
    const got = runOn(device, name, data);
    line.device_s = (performance.now() - t0) / 1000;
    const want = runOn(reference, name, data);
    line.losses = got.losses;
    line.reference_losses = want.losses;
    line.loss_error = Math.max(...got.losses.map((l, i) => Math.abs(l - want.losses[i]) / Math.max(1, Math.abs(want.losses[i]))));
    const errors = Object.entries(want.state).map(([key, values]) => [key, relativeError(got.state[key], values)]);
    const [worstKey, worstError] = errors.reduce((a, b) => (b[1] > a[1] ? b : a), ['', 0]);
    Object.assign(line, { tensors: errors.length, worst_tensor: worstKey, worst_tensor_error: worstError });
    line.ok = line.loss_error <= o.tolerance && worstError <= o.tolerance;
  } catch (error) {
    Object.assign(line, { ok: false, error: `${error.name}: ${error.message}` });
  }
  failed ||= !line.ok;
  process.stdout.write(`${JSON.stringify(line)}\n`);
}
process.exit(failed ? 1 : 0);
