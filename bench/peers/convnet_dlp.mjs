#!/usr/bin/env node
// dlp's side of the ConvNet benchmark: the same two measurements as bench/peers/convnet_torch.py,
// through the same code `dlp train --setup convnet` runs (the preset's model, Adam and
// AutogradTrainer, batches written by the gatherCenter kernel).
//
//   train  --steps S training steps of --batch-size images from the training set in file order;
//          the first --warmup steps are not timed
//   eval   the first --eval-images test images in chunks of --eval-chunk, in eval mode without
//          the tape (AutogradTrainer.evaluate), timed as a whole after one warm-up chunk
//
// Stdout: one JSON line in the peer's format, "impl":"dlp". Stderr: progress.
//
//   RAYON_NUM_THREADS=2 node bench/peers/convnet_dlp.mjs [--steps 20] [--warmup 3]
//        [--eval-images 1000] [--eval-chunk 100] [--backend native] [--data-dir DIR]
// Needs `pnpm build` (packages/core/dist and the native addon).

import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_DATA_DIR, ROOT, absPath, makeFail, parseArgs, posInt, text } from '../lib/options.mjs';
import { median } from '../lib/report.mjs';

const fail = makeFail('convnet_dlp');
const count = (v, bad) => {
  const x = Number(v);
  if (!Number.isInteger(x) || x < 0) bad(`wants an integer ≥ 0, got ${v}`);
  return x;
};
const usage = () => `usage: node bench/peers/convnet_dlp.mjs [--steps S] [--warmup W] [--batch-size B]
       [--eval-images N] [--eval-chunk C] [--backend native|wasm|js] [--seed N] [--data-dir DIR]\n`;
const o = parseArgs(
  process.argv.slice(2),
  { steps: 20, warmup: 3, batchSize: 32, evalImages: 1000, evalChunk: 100, backend: 'native', seed: 42, dataDir: DEFAULT_DATA_DIR },
  {
    '--steps': ['steps', posInt], '--warmup': ['warmup', count], '--batch-size': ['batchSize', posInt],
    '--eval-images': ['evalImages', count], '--eval-chunk': ['evalChunk', posInt], '--backend': ['backend', text],
    '--seed': ['seed', count], '--data-dir': ['dataDir', absPath],
  },
  { fail, usage },
);

const core = await import(pathToFileURL(path.join(ROOT, 'packages/core/dist/index.js')).href).catch((e) =>
  fail(`cannot load @dlp/core from packages/core/dist (${e.message}): run \`pnpm build\` first`),
);
const { Rng, data, getBackend, train } = core;
const backend = getBackend(o.backend);
const cifar = await data.openCifar10({ dataDir: o.dataDir });
const trainer = train.getSetup('convnet').build({ backend, rng: new Rng(o.seed), lr: 1e-4 });
process.stderr.write(`convnet_dlp: ${backend.describe()}\n`);

/** Images start..start+n of a split as a trainer's batch. */
const batchOf = (split, start, n) =>
  train.imageBatch(split, cifar.mean, Uint32Array.from({ length: n }, (_, i) => start + i), split.labels.subarray(start, start + n));

const stepS = [];
for (let s = 0; s < o.warmup + o.steps; s++) {
  const start = (s * o.batchSize) % (cifar.train.length - o.batchSize);
  const batch = batchOf(cifar.train, start, o.batchSize);
  const t0 = performance.now();
  const { loss } = trainer.trainStep(batch);
  const dt = (performance.now() - t0) / 1000;
  if (s >= o.warmup) stepS.push(dt);
  process.stderr.write(`convnet_dlp: step ${s + 1}/${o.warmup + o.steps} ${(dt * 1000).toFixed(0)} ms loss ${loss.toFixed(4)}\n`);
}
const result = {
  event: 'done', impl: 'dlp', backend: backend.describe(), threads: backend.threads, batch: o.batchSize, step_s: stepS,
  step_s_median: median(stepS),
};
if (o.evalImages > 0) {
  const n = Math.min(o.evalImages, cifar.test.length);
  trainer.evaluate(batchOf(cifar.test, 0, Math.min(o.evalChunk, n))); // warm-up
  const t0 = performance.now();
  let correct = 0;
  for (let start = 0; start < n; start += o.evalChunk) correct += trainer.evaluate(batchOf(cifar.test, start, Math.min(o.evalChunk, n - start))).correct;
  Object.assign(result, { eval_images: n, eval_s: (performance.now() - t0) / 1000, eval_accuracy: correct / n });
}
process.stdout.write(`${JSON.stringify(result)}\n`);
