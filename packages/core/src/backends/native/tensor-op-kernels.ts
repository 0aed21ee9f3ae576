/**
 * Registers the autograd ops' kernels (tensor-op-args.ts) on the native backend: each hands
 * the storages' Float32Arrays (and Int32Array labels/indices) to the addon, which checks
 * lengths, strides and shared memory itself (dlp-kernels' messages, rethrown as ShapeError or
 * ArgumentError as on js) and computes in place.
 */

import { registerKernel } from '../../kernels/registry.js';
import { typedErrors } from '../binding-errors.js';
import type { Backend, Storage } from '../backend.js';
import type { NativeBinding } from './binding.js';
import type { NativeBackend } from './native-backend.js';
import { nativeArray } from './native-backend.js';

const arr = nativeArray;
const addon = (backend: Backend): NativeBinding => (backend as NativeBackend).binding;

let registered = false;

export function registerNativeTensorOpKernels(): void {
  if (registered) return;
  registered = true;

  registerKernel('unary', 'native', (backend, { op, x, out }) =>
    typedErrors(() => addon(backend).unary(op, arr(x), arr(out))),
  );
  registerKernel('unaryBackward', 'native', (backend, { op, x, y, dout, dx }) =>
    typedErrors(() => addon(backend).unaryBackward(op, arr(x), arr(y), arr(dout), arr(dx))),
  );
  registerKernel('binary', 'native', (backend, { op, shape, a, aStrides, b, bStrides, out }) =>
    typedErrors(() => addon(backend).binary(op, shape, arr(a), aStrides, arr(b), bStrides, arr(out))),
  );
  registerKernel('copy', 'native', (backend, { shape, x, strides, out }) =>
    typedErrors(() => addon(backend).copyStrided(shape, arr(x), strides, arr(out))),
  );
  registerKernel('reduceSum', 'native', (backend, { x, shape, axes, out, beta }) =>
    typedErrors(() => addon(backend).reduceSum(arr(x), shape, axes, arr(out), beta)),
  );
  registerKernel('maxAlong', 'native', (backend, { x, outer, size, inner, out, indices }) =>
    typedErrors(() => addon(backend).maxAlong(arr(x), outer, size, inner, arr(out), indices)),
  );
  registerKernel('maxAlongBackward', 'native', (backend, { dout, indices, outer, size, inner, dx }) =>
    typedErrors(() => addon(backend).maxAlongBackward(arr(dout), indices, outer, size, inner, arr(dx))),
  );
  registerKernel('logSoftmax', 'native', (backend, { x, out, rows, cols }) =>
    typedErrors(() => addon(backend).logSoftmax(arr(x), arr(out), rows, cols)),
  );
  registerKernel('logSoftmaxBackward', 'native', (backend, { y, dout, dx, rows, cols }) =>
    typedErrors(() => addon(backend).logSoftmaxBackward(arr(y), arr(dout), arr(dx), rows, cols)),
  );
  registerKernel('nllLoss', 'native', (backend, { logp, labels, rows, cols }) =>
    typedErrors(() => addon(backend).nllLoss(arr(logp), labels, rows, cols)),
  );
  registerKernel('nllLossBackward', 'native', (backend, { labels, rows, cols, scale, dlogp }) =>
    typedErrors(() => addon(backend).nllLossBackward(labels, rows, cols, scale, arr(dlogp))),
  );
  registerKernel('axpy', 'native', (backend, { x, y, alpha }) =>
    typedErrors(() => addon(backend).axpy(arr(x), arr(y), alpha)),
  );
}
