// Shared by the three worker bundles (dlp, tfjs, jax-js) of bench/browser/train-step.mjs: the
// message protocol with the page, the CIFAR-10 data every engine trains on (dlp's own decoding
// and centring, so every engine sees the same floats), the initial weights (dlp's model built
// with the same seed, read out of its state dict, so every engine starts from the same point)
// and the timing loop (warm-up, then R repeats of N steps, seconds per step per repeat).

import { data, getBackend, Rng, train } from '@dlp/core/browser';

/** Runs `handler(job, log)` for the one job the page posts, and posts back its result or error. */
export function serveJob(handler) {
  self.onmessage = async (event) => {
    const job = event.data;
    const log = (text) => self.postMessage({ type: 'log', text });
    try {
      const result = await handler(job, log);
      self.postMessage({ type: 'result', result });
    } catch (err) {
      self.postMessage({ type: 'error', message: err instanceof Error ? `${err.name}: ${err.message}` : String(err), stack: err?.stack });
    }
  };
}

/** What the worker's environment offers (threads need a cross-origin-isolated page). */
export function environment() {
  return {
    crossOriginIsolated: self.crossOriginIsolated === true,
    sharedArrayBuffer: typeof SharedArrayBuffer !== 'undefined',
    hardwareConcurrency: navigator.hardwareConcurrency,
    userAgent: navigator.userAgent,
  };
}

/** The six CIFAR-10 files from the page's /data/ folder, decoded by dlp (mean image included). */
export async function loadCifar(log) {
  const t0 = performance.now();
  const base = new URL('/data/', self.location.href);
  const get = async (name) => {
    const res = await fetch(new URL(name, base));
    if (!res.ok) throw new Error(`cannot fetch /data/${name}: HTTP ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  };
  const names = data.CIFAR10_TRAIN_FILES;
  const [test, ...trainFiles] = await Promise.all([get(data.CIFAR10_TEST_FILE), ...names.map(get)]);
  const cifar = data.cifar10FromBytes({ train: trainFiles, test, source: '/data/' });
  log(`CIFAR-10 fetched and decoded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return cifar;
}

/**
 * The first `k` batches of `batchSize` images of the training split in file order (the first
 * epoch of the training loop's BatchIterator): indices, labels, and for the peers the centred
 * float32 images (pixel − training mean, NCHW flattened) and one-hot labels.
 */
export function firstBatches(cifar, batchSize, k, { floats = false } = {}) {
  const it = new data.BatchIterator(cifar.train, { batchSize, mean: cifar.mean });
  const out = [];
  for (let j = 0; j < k; j++) {
    const { indices, labels } = it.nextIndices();
    const batch = { indices, labels };
    if (floats) {
      batch.x = new Float32Array(batchSize * 3072);
      data.centerImages(cifar.train.pixels, cifar.mean, indices, batch.x);
      batch.oneHot = new Float32Array(batchSize * 10);
      for (let r = 0; r < batchSize; r++) batch.oneHot[r * 10 + labels[r]] = 1;
    }
    out.push(batch);
  }
  return out;
}

/**
 * dlp's model of `setup` built on the pure-TypeScript backend with `seed` (the same draws as
 * on wasm): its state dict as { name: { shape, data: Float32Array } }, for the peers.
 */
export function initialWeights(setup, seed) {
  const preset = train.getSetup(setup);
  const trainer = preset.build({ backend: getBackend('js'), rng: new Rng(seed), lr: preset.defaults.lr });
  const out = {};
  for (const [name, t] of Object.entries(trainer.stateDict())) out[name] = { shape: [...t.shape], data: Float32Array.from(t.toArray()) };
  return out;
}

/** Weight [out, in, kh, kw] → [kh, kw, in, out] (TensorFlow's HWIO); [out, in] → [in, out]. */
export function toHwio({ shape, data: w }) {
  const [o, i, kh = 1, kw = 1] = shape;
  const out = new Float32Array(w.length);
  for (let a = 0; a < o; a++) for (let b = 0; b < i; b++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) {
    out[((y * kw + x) * i + b) * o + a] = w[((a * i + b) * kh + y) * kw + x];
  }
  return out;
}

/**
 * The ConvNet's stages in order (DESIGN.md section 4; packages/core/src/models/convnet.ts), as
 * the peers walk them: [kind, state-dict prefix].
 */
export const CONVNET_STAGES = [
  ['conv3', 'conv0'], ['preact', 'preact1'], ['conv1', 'conv1'], ['pool'],
  ['preact', 'preact2_a'], ['preact', 'preact2_b'], ['conv1', 'conv2'], ['pool'],
  ['preact', 'preact3_a'], ['preact', 'preact3_b'], ['conv1', 'conv3'], ['pool'],
  ['preact', 'preact4_a'], ['preact', 'preact4_b'], ['pool'],
  ['preact', 'preact5_a'], ['preact', 'preact5_b'], ['pool'],
  ['bnrelu', 'norm'], ['linear', 'linear'],
];

/**
 * Times `step(i)` (async or not; resolves to the step's loss once its work is done): `warmup`
 * steps, then `repeats` × `steps` timed steps. When the last warm-up step says the timed steps
 * would take more than `budgetS` seconds, fewer steps per repeat are run (at least 1) and the
 * result says so. Batch i of the run is batch i mod k of the caller's list.
 */
export async function timeSteps(step, { warmup, steps, repeats, budgetS }, log) {
  const losses = [];
  const warmupTimes = [];
  for (let i = 0; i < warmup; i++) {
    const t0 = performance.now();
    losses.push(await step(losses.length));
    warmupTimes.push((performance.now() - t0) / 1000);
    log(`warm-up step ${i + 1}/${warmup}: ${(warmupTimes[i] * 1000).toFixed(1)} ms, loss ${losses[losses.length - 1].toFixed(4)}`);
  }
  const estimate = warmupTimes.length ? warmupTimes[warmupTimes.length - 1] : 0;
  let stepsRun = steps;
  if (budgetS > 0 && estimate * steps * repeats > budgetS) {
    stepsRun = Math.max(1, Math.floor(budgetS / (estimate * repeats)));
    log(`budget: ${steps}×${repeats} steps would take ~${(estimate * steps * repeats).toFixed(0)} s > ${budgetS} s; timing ${stepsRun} step(s) per repeat`);
  }
  const perRepeat = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    for (let i = 0; i < stepsRun; i++) losses.push(await step(losses.length));
    perRepeat.push((performance.now() - t0) / 1000 / stepsRun);
    log(`repeat ${r + 1}/${repeats}: ${(perRepeat[r] * 1000).toFixed(1)} ms/step, loss ${losses[losses.length - 1].toFixed(4)}`);
  }
  const sorted = [...perRepeat].sort((a, b) => a - b);
  const h = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[h] : (sorted[h - 1] + sorted[h]) / 2;
  const bad = losses.findIndex((l) => !Number.isFinite(l));
  return {
    warmup, steps: stepsRun, stepsRequested: steps, repeats, warmupSeconds: warmupTimes, secondsPerStep: perRepeat, medianSecondsPerStep: median,
    firstLoss: losses[0], lastLoss: losses[losses.length - 1], losses, nonFiniteAtStep: bad < 0 ? null : bad + 1,
  };
}
