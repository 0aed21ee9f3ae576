// jax-js 0.1.25's training step in a Web Worker on its wasm device, the whole step under jit:
// valueAndGrad of the loss, then the optimiser update (SGD for setup 1; Adam with PyTorch's
// betas/eps and bias correction for the ConvNet), in one jitted function. Same data, batches
// and initial weights as dlp (common.js). One step: the batch's centred floats and one-hot
// labels become arrays, the jitted step runs, `blockUntilReady` waits for the new parameters
// and the loss is read back.
//
// ELU: jax-js 0.1.25's nn.elu gives NaN gradients for inputs above ~88 (exp overflows in its
// backward), and setup 1's pre-activations reach that on 0–255 inputs; this uses
// where(x > 0, x, expm1(min(x, 0))) instead, ELU's value and gradient everywhere.
// Max-pool 3×3 / 2, padding 1: the input is zero-padded and a constant −1e30 border added (so
// the padding never wins the max, as PyTorch's −inf padding), then lax.reduceWindow(np.max).
// BatchNorm uses the batch statistics (no running averages: they do not enter the gradients).
// In a cross-origin-isolated page jax-js dispatches its wasm kernels to a pool of
// navigator.hardwareConcurrency workers; elsewhere it runs on this worker's thread alone.

import { blockUntilReady, defaultDevice, init, jit, lax, nn, numpy as np, valueAndGrad } from '@jax-js/jax';
import { CONVNET_STAGES, environment, firstBatches, initialWeights, loadCifar, serveJob, timeSteps } from './common.js';

const elu = (x) => np.where(np.greater(x.ref, 0), x.ref, np.expm1(np.minimum(x, 0)));

function mlp(w) {
  const layers = Object.keys(w).filter((k) => /^layers\.\d+\.weight$/.test(k)).sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));
  const params = {};
  layers.forEach((k, i) => {
    const prefix = k.slice(0, -'.weight'.length);
    const [out, inp] = w[k].shape;
    params[`w${i}`] = np.array(w[k].data).reshape([out, inp]).transpose();
    params[`b${i}`] = np.array(w[`${prefix}.bias`].data);
  });
  const forward = (p, x) => {
    let h = x;
    for (let i = 0; i < layers.length; i++) {
      h = np.dot(h, p[`w${i}`]).add(p[`b${i}`]);
      if (i + 1 < layers.length) h = elu(h);
    }
    return h;
  };
  return { params, consts: {}, forward, inputShape: [3072] };
}

function convnet(w, batchSize) {
  const params = {};
  const put = (name) => (params[name] = np.array(w[name].data).reshape(w[name].shape));
  const consts = {};
  // The −1e30 borders of the padded inputs of the five max-pools (32, 16, 8, 4, 2 pixels wide).
  for (const size of [32, 16, 8, 4, 2]) {
    const s = size + 2;
    const border = new Float32Array(s * s);
    for (let y = 0; y < s; y++) for (let x = 0; x < s; x++) if (y === 0 || x === 0 || y === s - 1 || x === s - 1) border[y * s + x] = -1e30;
    consts[`border${size}`] = np.array(border).reshape([1, 1, s, s]);
  }
  for (const [kind, prefix] of CONVNET_STAGES) {
    if (kind === 'conv3' || kind === 'conv1' || kind === 'linear') [`${prefix}.weight`, `${prefix}.bias`].forEach(put);
    else if (kind === 'preact') [`${prefix}.bn.weight`, `${prefix}.bn.bias`, `${prefix}.conv.weight`, `${prefix}.conv.bias`].forEach(put);
    else if (kind === 'bnrelu') [`${prefix}.weight`, `${prefix}.bias`].forEach(put);
  }
  const conv = (x, p, prefix) => {
    const W = p[`${prefix}.weight`];
    const pad = W.shape[2] === 3 ? [[1, 1], [1, 1]] : 'VALID';
    return lax.convGeneralDilated(x, W, [1, 1], pad).add(p[`${prefix}.bias`].reshape([1, -1, 1, 1]));
  };
  const bn = (x, p, prefix) => {
    const mu = np.mean(x.ref, [0, 2, 3], { keepdims: true });
    const d = x.sub(mu);
    const variance = np.mean(np.square(d.ref), [0, 2, 3], { keepdims: true });
    return d.div(np.sqrt(variance.add(1e-5))).mul(p[`${prefix}.weight`].reshape([1, -1, 1, 1])).add(p[`${prefix}.bias`].reshape([1, -1, 1, 1]));
  };
  const forward = (p, x, c) => {
    for (const [kind, prefix] of CONVNET_STAGES) {
      if (kind === 'conv3' || kind === 'conv1') x = conv(x, p, prefix);
      else if (kind === 'preact') x = x.ref.add(conv(nn.relu(bn(x, p, `${prefix}.bn`)), p, `${prefix}.conv`));
      else if (kind === 'pool') {
        const size = x.shape[2];
        const padded = np.pad(x, [[0, 0], [0, 0], [1, 1], [1, 1]]).add(c[`border${size}`]);
        x = lax.reduceWindow(padded, np.max, [3, 3], [2, 2]);
      } else if (kind === 'bnrelu') x = nn.relu(bn(x, p, prefix));
      else if (kind === 'linear') x = np.dot(x.reshape([batchSize, -1]), p[`${prefix}.weight`].transpose()).add(p[`${prefix}.bias`]);
    }
    return x;
  };
  return { params, consts, forward, inputShape: [3, 32, 32] };
}

/**
 * The ConvNet's first PreAct block's 3×3 convolution (64→64 channels, 32×32, batch B) forward,
 * jitted, timed after one compiling call: how fast jax-js convolves, when a whole ConvNet step
 * is too slow to time (job.probe).
 */
async function convProbe(B, log) {
  const [C, H] = [64, 32];
  const rand = (n) => Float32Array.from({ length: n }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
  const x = np.array(rand(B * C * H * H)).reshape([B, C, H, H]);
  const w = np.array(rand(C * C * 9)).reshape([C, C, 3, 3]);
  const f = jit((w, x) => lax.convGeneralDilated(x, w, [1, 1], [[1, 1], [1, 1]]));
  const seconds = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const y = f(w.ref, x.ref);
    await blockUntilReady(y);
    y.dispose();
    seconds.push((performance.now() - t0) / 1000);
    log(`conv probe call ${i + 1}: ${seconds[i].toFixed(2)} s`);
  }
  const best = Math.min(...seconds.slice(1));
  const flop = 2 * B * H * H * C * C * 9;
  return { what: `jitted lax.convGeneralDilated forward, 3×3, ${C}→${C} channels, ${H}×${H}, batch ${B}`, seconds, flop, gflops: flop / best / 1e9 };
}

const refAll = (tree) => Object.fromEntries(Object.entries(tree).map(([k, a]) => [k, a.ref]));

serveJob(async (job, log) => {
  const env = environment();
  const devices = await init('wasm');
  if (!devices.includes('wasm')) throw new Error(`jax-js: the wasm device did not initialise (got ${devices.join(', ') || 'none'})`);
  defaultDevice('wasm');
  const threads = env.crossOriginIsolated && env.sharedArrayBuffer ? env.hardwareConcurrency : 1;
  const info = { version: '0.1.25', device: 'wasm', jit: true, threads, describe: `jax-js 0.1.25 wasm, jit (${threads === 1 ? '1 thread' : `worker pool of ${threads} (navigator.hardwareConcurrency; the page is cross-origin isolated)`})` };
  log(`backend: ${info.describe}`);

  if (job.probe) return { env, backend: info, probe: await convProbe(job.batchSize, log) };
  const cifar = await loadCifar(log);
  const weights = initialWeights(job.setup, job.seed);
  const B = job.batchSize;
  const isConv = job.setup === 'convnet';
  const model = isConv ? convnet(weights, B) : mlp(weights);
  const lossFn = (p, c, x, y) => nn.logSoftmax(model.forward(p, x, c), -1).mul(y).sum().mul(-1 / B);

  let step;
  if (!isConv) {
    const lr = 1e-3;
    const sgd = jit((p, c, x, y) => {
      const [loss, g] = valueAndGrad(lossFn)(refAll(p), c, x, y);
      const next = Object.fromEntries(Object.keys(p).map((k) => [k, p[k].sub(g[k].mul(lr))]));
      return [loss, next];
    });
    let params = model.params;
    step = async (i) => {
      const batch = batches[i % batches.length];
      const [loss, next] = sgd(params, refAll(model.consts), np.array(batch.x).reshape([B, ...model.inputShape]), np.array(batch.oneHot).reshape([B, 10]));
      params = next;
      await blockUntilReady(params);
      return (await loss.data())[0];
    };
  } else {
    const [lr, b1, b2, eps] = [1e-4, 0.9, 0.999, 1e-8];
    // a = lr / (1 − b1^t), s = 1 / sqrt(1 − b2^t): p −= a · m / (sqrt(v) · s + eps), as torch.optim.Adam.
    const adam = jit((p, m, v, c, x, y, a, s) => {
      const [loss, g] = valueAndGrad(lossFn)(refAll(p), c, x, y);
      const [np_, nm, nv] = [{}, {}, {}];
      for (const k of Object.keys(p)) {
        const mk = m[k].mul(b1).add(g[k].ref.mul(1 - b1));
        const vk = v[k].mul(b2).add(np.square(g[k]).mul(1 - b2));
        np_[k] = p[k].sub(mk.ref.mul(a.ref).div(np.sqrt(vk.ref).mul(s.ref).add(eps)));
        nm[k] = mk;
        nv[k] = vk;
      }
      a.dispose();
      s.dispose();
      return [loss, np_, nm, nv];
    });
    let params = model.params;
    let m = Object.fromEntries(Object.entries(params).map(([k, a]) => [k, np.zeros(a.shape)]));
    let v = Object.fromEntries(Object.entries(params).map(([k, a]) => [k, np.zeros(a.shape)]));
    let t = 0;
    step = async (i) => {
      const batch = batches[i % batches.length];
      t++;
      const a = np.array(new Float32Array([lr / (1 - b1 ** t)])).reshape([]);
      const s = np.array(new Float32Array([1 / Math.sqrt(1 - b2 ** t)])).reshape([]);
      const [loss, p2, m2, v2] = adam(params, m, v, refAll(model.consts), np.array(batch.x).reshape([B, ...model.inputShape]), np.array(batch.oneHot).reshape([B, 10]), a, s);
      [params, m, v] = [p2, m2, v2];
      await blockUntilReady(params);
      return (await loss.data())[0];
    };
  }
  const batches = firstBatches(cifar, B, job.batches, { floats: true });
  const timing = await timeSteps(step, job.plan, log);
  return { env, backend: info, timing, lr: isConv ? 1e-4 : 1e-3 };
});
