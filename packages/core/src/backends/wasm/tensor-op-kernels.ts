/**
 * Registers the autograd ops' kernels (tensor-op-args.ts) on the wasm backend: each passes the
 * storages' pointers and lengths to the module, which checks lengths, strides and shared memory
 * itself (dlp-kernels' messages, rethrown as ShapeError or ArgumentError as on js). Labels and
 * argmax indices stay Int32Arrays in JS memory, copied in (and, for maxAlong, back out) by the
 * glue.
 */

import { registerKernel } from '../../kernels/registry.js';
import { typedErrors } from '../binding-errors.js';
import type { Backend } from '../backend.js';
import { live } from './kernels.js';
import type { WasmKernels } from './load.js';
import type { WasmBackend } from './wasm-backend.js';

const wasm = (backend: Backend): WasmKernels => (backend as WasmBackend).kernels;

let registered = false;

export function registerWasmTensorOpKernels(): void {
  if (registered) return;
  registered = true;

  registerKernel('unary', 'wasm', (backend, { op, x, out }) =>
    typedErrors(() => wasm(backend).unary(op, live(x), live(out))),
  );
  registerKernel('unaryBackward', 'wasm', (backend, { op, x, y, dout, dx }) =>
    typedErrors(() => wasm(backend).unaryBackward(op, live(x), live(y), live(dout), live(dx))),
  );
  registerKernel('binary', 'wasm', (backend, { op, shape, a, aStrides, b, bStrides, out }) =>
    typedErrors(() => wasm(backend).binary(op, shape, live(a), aStrides, live(b), bStrides, live(out))),
  );
  registerKernel('copy', 'wasm', (backend, { shape, x, strides, out }) =>
    typedErrors(() => wasm(backend).copyStrided(shape, live(x), strides, live(out))),
  );
  registerKernel('reduceSum', 'wasm', (backend, { x, shape, axes, out, beta }) =>
    typedErrors(() => wasm(backend).reduceSum(live(x), shape, axes, live(out), beta)),
  );
  registerKernel('maxAlong', 'wasm', (backend, { x, outer, size, inner, out, indices }) =>
    typedErrors(() => wasm(backend).maxAlong(live(x), outer, size, inner, live(out), indices)),
  );
  registerKernel('maxAlongBackward', 'wasm', (backend, { dout, indices, outer, size, inner, dx }) =>
    typedErrors(() => wasm(backend).maxAlongBackward(live(dout), indices, outer, size, inner, live(dx))),
  );
  registerKernel('logSoftmax', 'wasm', (backend, { x, out, rows, cols }) =>
    typedErrors(() => wasm(backend).logSoftmax(live(x), live(out), rows, cols)),
  );
  registerKernel('logSoftmaxBackward', 'wasm', (backend, { y, dout, dx, rows, cols }) =>
    typedErrors(() => wasm(backend).logSoftmaxBackward(live(y), live(dout), live(dx), rows, cols)),
  );
  registerKernel('nllLoss', 'wasm', (backend, { logp, labels, rows, cols }) =>
    typedErrors(() => wasm(backend).nllLoss(live(logp), labels, rows, cols)),
  );
  registerKernel('nllLossBackward', 'wasm', (backend, { labels, rows, cols, scale, dlogp }) =>
    typedErrors(() => wasm(backend).nllLossBackward(labels, rows, cols, scale, live(dlogp))),
  );
  registerKernel('axpy', 'wasm', (backend, { x, y, alpha }) =>
    typedErrors(() => wasm(backend).axpy(live(x), live(y), alpha)),
  );
}
