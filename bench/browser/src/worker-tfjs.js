// TensorFlow.js 4.22's training step in a Web Worker on its wasm backend (the full
// @tensorflow/tfjs package, so every gradient is registered, plus @tensorflow/tfjs-backend-wasm).
// Same data, batches and initial weights as dlp (common.js). One step: the batch's centred
// floats and one-hot labels become tensors, optimizer.minimize runs forward + backward + update
// (SGD for setup 1, Adam with PyTorch's betas/eps for the ConvNet), the loss is read back.
// The ConvNet runs NHWC (tfjs's wasm convolutions take no other layout): the batch is transposed
// inside the step. BatchNorm uses the batch statistics (no running averages: they do not enter
// the step's gradients). In a cross-origin-isolated page tfjs picks its threaded SIMD build;
// `job.tfjsThreads === false` forces the single-threaded SIMD one.

import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { CONVNET_STAGES, environment, firstBatches, initialWeights, loadCifar, serveJob, timeSteps, toHwio } from './common.js';

function mlpModel(w) {
  const layers = Object.keys(w).filter((k) => /^layers\.\d+\.weight$/.test(k)).sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));
  const vars = layers.map((k) => {
    const prefix = k.slice(0, -'.weight'.length);
    const [out, inp] = w[k].shape;
    return { W: tf.variable(tf.tensor2d(w[k].data, [out, inp])), b: tf.variable(tf.tensor1d(w[`${prefix}.bias`].data)) };
  });
  const forward = (x) => {
    let h = x;
    vars.forEach(({ W, b }, i) => {
      h = tf.add(tf.matMul(h, W, false, true), b);
      if (i + 1 < vars.length) h = tf.elu(h);
    });
    return h;
  };
  return { forward, variables: vars.flatMap(({ W, b }) => [W, b]), inputShape: [3072] };
}

function convnetModel(w) {
  const v = (name, data, shape) => tf.variable(tf.tensor(data, shape), true, name);
  const conv = (prefix) => ({ W: v(`${prefix}.weight`, toHwio(w[`${prefix}.weight`]), [w[`${prefix}.weight`].shape[2], w[`${prefix}.weight`].shape[3], w[`${prefix}.weight`].shape[1], w[`${prefix}.weight`].shape[0]]), b: v(`${prefix}.bias`, w[`${prefix}.bias`].data, [w[`${prefix}.bias`].shape[0]]) });
  const bn = (prefix) => ({ g: v(`${prefix}.weight`, w[`${prefix}.weight`].data, w[`${prefix}.weight`].shape), b: v(`${prefix}.bias`, w[`${prefix}.bias`].data, w[`${prefix}.bias`].shape) });
  const applyConv = (x, { W, b }) => tf.add(tf.conv2d(x, W, 1, W.shape[0] === 3 ? 'same' : 'valid'), b);
  const applyBn = (x, { g, b }) => {
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
  };
  const stages = CONVNET_STAGES.map(([kind, prefix]) => {
    if (kind === 'conv3' || kind === 'conv1') return { kind, p: conv(prefix) };
    if (kind === 'preact') return { kind, p: { bn: bn(`${prefix}.bn`), conv: conv(`${prefix}.conv`) } };
    if (kind === 'bnrelu') return { kind, p: bn(prefix) };
    if (kind === 'linear') {
      const [out, inp] = w[`${prefix}.weight`].shape;
      return { kind, p: { W: v(`${prefix}.weight`, w[`${prefix}.weight`].data, [out, inp]), b: v(`${prefix}.bias`, w[`${prefix}.bias`].data, [out]) } };
    }
    return { kind };
  });
  const forward = (xNchw) => {
    let x = tf.transpose(xNchw, [0, 2, 3, 1]);
    for (const { kind, p } of stages) {
      if (kind === 'conv3' || kind === 'conv1') x = applyConv(x, p);
      else if (kind === 'preact') x = tf.add(x, applyConv(tf.relu(applyBn(x, p.bn)), p.conv));
      else if (kind === 'pool') x = tf.maxPool(x, 3, 2, 1);
      else if (kind === 'bnrelu') x = tf.relu(applyBn(x, p));
      else if (kind === 'linear') x = tf.add(tf.matMul(tf.reshape(x, [x.shape[0], -1]), p.W, false, true), p.b);
    }
    return x;
  };
  const variables = stages.flatMap(({ p }) => (p ? Object.values(p).flatMap((q) => (q instanceof tf.Variable ? [q] : Object.values(q))) : []));
  return { forward, variables, inputShape: [3, 32, 32] };
}

serveJob(async (job, log) => {
  const env = environment();
  setWasmPaths(new URL('/tfjs/', self.location.href).href);
  if (job.tfjsThreads === false) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") failed');
  await tf.ready();
  const multithread = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const info = { version: tf.version.tfjs, backend: tf.getBackend(), flavour: multithread ? 'threaded-simd' : simd ? 'simd' : 'plain', threads: getThreadsCount() };
  info.describe = `TensorFlow.js ${info.version} wasm (${info.flavour}, ${info.threads} thread${info.threads === 1 ? '' : 's'})`;
  log(`backend: ${info.describe}`);

  const cifar = await loadCifar(log);
  const weights = initialWeights(job.setup, job.seed);
  const isConv = job.setup === 'convnet';
  const model = isConv ? convnetModel(weights) : mlpModel(weights);
  const lr = isConv ? 1e-4 : 1e-3;
  const optimizer = isConv ? tf.train.adam(lr, 0.9, 0.999, 1e-8) : tf.train.sgd(lr);
  const batches = firstBatches(cifar, job.batchSize, job.batches, { floats: true });
  const B = job.batchSize;
  const step = async (i) => {
    const batch = batches[i % batches.length];
    const x = tf.tensor(batch.x, [B, ...model.inputShape]);
    const y = tf.tensor2d(batch.oneHot, [B, 10]);
    const cost = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.forward(x)), true, model.variables);
    const loss = (await cost.data())[0];
    tf.dispose([x, y, cost]);
    return loss;
  };
  const timing = await timeSteps(step, job.plan, log);
  return { env, backend: info, timing, lr };
});
