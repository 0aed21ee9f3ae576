/**
 * The native backend's kernels: each hands the storages' Float32Arrays to the addon, which
 * checks lengths and shared memory itself (dlp-kernels' messages) and computes in place.
 */

import { registerKernel } from '../../kernels/registry.js';
import type { Backend, Storage } from '../backend.js';
import type { NativeBinding } from './binding.js';
import type { NativeBackend } from './native-backend.js';
import { nativeArray } from './native-backend.js';
import { registerNativeTensorOpKernels } from './tensor-op-kernels.js';
import { registerNativeNormOptimKernels } from './norm-optim-kernels.js';
import { registerNativeConvKernels } from './conv-kernels.js';

const arr = nativeArray;
const addon = (backend: Backend): NativeBinding => (backend as NativeBackend).binding;

let registered = false;

export function registerNativeKernels(): void {
  if (registered) return;
  registered = true;

  registerKernel('gemm', 'native', (backend, g) => {
    addon(backend).sgemm(g.transA, g.transB, g.m, g.n, g.k, g.alpha, arr(g.a), arr(g.b), g.beta, arr(g.c), backend.threads);
  });
  registerKernel('biasAdd', 'native', (backend, { x, bias, out, rows, cols }) => {
    addon(backend).biasAdd(arr(x), arr(bias), arr(out), rows, cols);
  });
  registerKernel('columnSum', 'native', (backend, { x, out, rows, cols, beta }) => {
    addon(backend).columnSum(arr(x), arr(out), rows, cols, beta);
  });
  registerKernel('elu', 'native', (backend, { x, out, alpha }) => {
    addon(backend).elu(arr(x), arr(out), alpha);
  });
  registerKernel('eluBackward', 'native', (backend, { x, dout, dx, alpha }) => {
    addon(backend).eluBackward(arr(x), arr(dout), arr(dx), alpha);
  });
  registerKernel('softmax', 'native', (backend, { x, out, rows, cols }) => {
    addon(backend).softmax(arr(x), arr(out), rows, cols);
  });
  registerKernel('softmaxBackward', 'native', (backend, { s, dout, dx, rows, cols }) => {
    addon(backend).softmaxBackward(arr(s), arr(dout), arr(dx), rows, cols);
  });
  registerKernel('crossEntropy', 'native', (backend, { probs, targets, rows, cols }) =>
    addon(backend).crossEntropy(arr(probs), arr(targets), rows, cols),
  );
  registerKernel('crossEntropyBackward', 'native', (backend, { probs, targets, dprobs, rows, cols }) => {
    addon(backend).crossEntropyBackward(arr(probs), arr(targets), arr(dprobs), rows, cols);
  });
  registerKernel('softmaxCrossEntropy', 'native', (backend, { logits, labels, rows, cols, dlogits, probs }) =>
    addon(backend).softmaxCrossEntropy(arr(logits), labels, rows, cols, dlogits && arr(dlogits), probs && arr(probs)),
  );
  registerKernel('gatherCenter', 'native', (backend, { pixels, indices, mean, out }) => {
    addon(backend).gatherCenterU8(pixels, indices, mean, arr(out));
  });
  registerKernel('sgdUpdate', 'native', (backend, { param, grad, lr }) => {
    addon(backend).sgdUpdate(arr(param), arr(grad), lr);
  });
  registerNativeTensorOpKernels();
  registerNativeNormOptimKernels();
  registerNativeConvKernels();
}
