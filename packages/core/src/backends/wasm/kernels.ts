/**
 * The wasm backend's kernels: each passes the storages' pointers and lengths to the module,
 * which checks lengths and shared memory itself (dlp-kernels' messages). gemm's binding takes
 * bare pointers, so its lengths are checked here.
 */

import { ArgumentError } from '../../errors.js';
import { checkGemmLengths } from '../../kernels/gemm-lengths.js';
import { gatherCenterReference } from '../js/images.js';
import { registerKernel } from '../../kernels/registry.js';
import type { Backend, Storage } from '../backend.js';
import type { WasmKernels } from './load.js';
import type { WasmBackend, WasmStorage } from './wasm-backend.js';
import { registerWasmTensorOpKernels } from './tensor-op-kernels.js';
import { registerWasmNormOptimKernels } from './norm-optim-kernels.js';
import { registerWasmConvKernels } from './conv-kernels.js';

/** The storage as a buffer; a disposed one is refused, since its memory may hold another tensor now. */
export function live(s: Storage): WasmStorage {
  const storage = s as WasmStorage;
  if (storage.released) throw new ArgumentError('wasm backend: a kernel was given a disposed tensor; its memory is gone');
  return storage;
}

const wasm = (backend: Backend): WasmKernels => (backend as WasmBackend).kernels;

let registered = false;

export function registerWasmKernels(): void {
  if (registered) return;
  registered = true;

  registerKernel('gemm', 'wasm', (backend, g) => {
    checkGemmLengths(g);
    wasm(backend).sgemm(g.transA, g.transB, g.m, g.n, g.k, g.alpha, live(g.a).ptr, live(g.b).ptr, g.beta, live(g.c).ptr);
  });
  registerKernel('biasAdd', 'wasm', (backend, { x, bias, out, rows, cols }) => {
    wasm(backend).biasAdd(live(x), live(bias), live(out), rows, cols);
  });
  registerKernel('columnSum', 'wasm', (backend, { x, out, rows, cols, beta }) => {
    wasm(backend).columnSum(live(x), live(out), rows, cols, beta);
  });
  registerKernel('elu', 'wasm', (backend, { x, out, alpha }) => {
    wasm(backend).elu(live(x), live(out), alpha);
  });
  registerKernel('eluBackward', 'wasm', (backend, { x, dout, dx, alpha }) => {
    wasm(backend).eluBackward(live(x), live(dout), live(dx), alpha);
  });
  registerKernel('softmax', 'wasm', (backend, { x, out, rows, cols }) => {
    wasm(backend).softmax(live(x), live(out), rows, cols);
  });
  registerKernel('softmaxBackward', 'wasm', (backend, { s, dout, dx, rows, cols }) => {
    wasm(backend).softmaxBackward(live(s), live(dout), live(dx), rows, cols);
  });
  registerKernel('crossEntropy', 'wasm', (backend, { probs, targets, rows, cols }) =>
    wasm(backend).crossEntropy(live(probs), live(targets), rows, cols),
  );
  registerKernel('crossEntropyBackward', 'wasm', (backend, { probs, targets, dprobs, rows, cols }) => {
    wasm(backend).crossEntropyBackward(live(probs), live(targets), live(dprobs), rows, cols);
  });
  registerKernel('softmaxCrossEntropy', 'wasm', (backend, { logits, labels, rows, cols, dlogits, probs }) =>
    wasm(backend).softmaxCrossEntropy(live(logits), labels, rows, cols, dlogits && live(dlogits), probs && live(probs)),
  );
  // The dataset lives in JS memory as bytes; copying it into wasm memory per batch would cost
  // more than this loop, which writes straight into the wasm-resident tensor.
  registerKernel('gatherCenter', 'wasm', (backend, args) => gatherCenterReference(args, backend.view(args.out)));
  registerKernel('sgdUpdate', 'wasm', (backend, { param, grad, lr }) => {
    wasm(backend).sgdUpdate(live(param), live(grad), lr);
  });
  registerWasmTensorOpKernels();
  registerWasmNormOptimKernels();
  registerWasmConvKernels();
}
