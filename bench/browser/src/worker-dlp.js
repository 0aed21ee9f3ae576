// dlp's training step in a Web Worker, on its wasm backend: exactly what the training loop
// (train.TrainingSession.trainStep) times per step: the batch's indices wrapped by
// train.imageBatch (the gatherCenter kernel writes pixel − mean into the input tensor), then
// the setup's AutogradTrainer.trainStep (forward, fused cross-entropy, backward, optimiser step,
// loss read back). Model, optimiser and initial weights come from train.getSetup(setup).build
// with the job's seed. Also measures the wasm GEMM 200×3072×100 for scale.

import { getKernel, loadBackend, Rng, train } from '@dlp/core/browser';
import { environment, firstBatches, loadCifar, serveJob, timeSteps } from './common.js';

async function gemmGflops(backend, [m, k, n, transA = false, transB = false], runs = 30) {
  const fill = (len) => {
    const a = new Float32Array(len);
    for (let i = 0; i < len; i++) a[i] = ((i * 7919) % 1000) / 1000 - 0.5;
    return a;
  };
  const a = backend.upload(fill(m * k));
  const b = backend.upload(fill(k * n));
  const c = backend.allocate(m * n, 'float32');
  const gemm = getKernel('gemm', backend.name);
  const args = { transA, transB, m, n, k, alpha: 1, beta: 0, a, b, c };
  // Calls per sample: enough for ~2 ms, since a page that is not cross-origin isolated gets a
  // coarse performance.now() (0.1 ms in Chromium), far above a small product's time.
  let t0 = performance.now();
  for (let i = 0; i < 5; i++) gemm(backend, args);
  const inner = Math.max(1, Math.ceil(2 / Math.max((performance.now() - t0) / 5, 1e-3)));
  const times = [];
  for (let i = 0; i < runs; i++) {
    t0 = performance.now();
    for (let j = 0; j < inner; j++) gemm(backend, args);
    times.push((performance.now() - t0) / 1000 / inner);
  }
  for (const s of [a, b, c]) backend.release(s);
  times.sort((x, y) => x - y);
  return { shape: `${m}x${k}x${n}${transA ? ' Aᵀ' : ''}${transB ? ' Bᵀ' : ''}`, gflops: (2 * m * k * n) / times[times.length >> 1] / 1e9, medianSeconds: times[times.length >> 1], runs };
}

serveJob(async (job, log) => {
  const env = environment();
  const wasmUrl = new URL('/wasm/', self.location.href).href;
  // `wasmVariant` picks the build (in a cross-origin-isolated Worker the default is `threads`).
  const backend = await loadBackend('wasm', { wasmUrl, wasmVariant: job.variant });
  const info = { describe: backend.describe(), threads: backend.threads, variantRequested: job.variant };
  log(`backend: ${info.describe}`);
  if (job.variant === 'threads' && !(backend.threads > 1)) {
    throw new Error(`asked for the 'threads' wasm build, but the backend loaded is "${info.describe}" (threads = ${backend.threads})`);
  }
  if (job.variant === 'simd' && backend.threads !== 1) {
    throw new Error(`asked for the 1-thread 'simd' wasm build, but the backend loaded is "${info.describe}"`);
  }
  const cifar = await loadCifar(log);
  const preset = train.getSetup(job.setup);
  const trainer = preset.build({ backend, rng: new Rng(job.seed), lr: preset.defaults.lr });
  const batches = firstBatches(cifar, job.batchSize, job.batches);
  const step = (i) => {
    const { indices, labels } = batches[i % batches.length];
    return trainer.trainStep(train.imageBatch(cifar.train, cifar.mean, indices, labels)).loss;
  };
  const timing = await timeSteps(step, job.plan, log);
  const gemm = job.gemm ? await gemmGflops(backend, job.gemm) : undefined;
  if (gemm) log(`GEMM ${gemm.shape}: ${gemm.gflops.toFixed(1)} GFLOPS (1 call, median of ${gemm.runs})`);
  // Setup 1's own products as the Linear layers call them (weights [out, in]): x·W1ᵀ, dH1ᵀ·x
  // (dW1), and the small second layer's three. Their time summed is the step's GEMM time.
  let stepGemms;
  if (job.stepGemms) {
    stepGemms = [];
    for (const shape of job.stepGemms) stepGemms.push(await gemmGflops(backend, shape, 20));
    const total = stepGemms.reduce((a, g) => a + g.medianSeconds, 0);
    log(`the step's GEMMs: ${(total * 1000).toFixed(2)} ms in all (${stepGemms.map((g) => `${g.shape} ${g.gflops.toFixed(1)}`).join(', ')} GFLOPS)`);
  }
  return { env, backend: info, timing, gemm, stepGemms, lr: preset.defaults.lr };
});
