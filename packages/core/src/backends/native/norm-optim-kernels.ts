/**
 * Registers the BatchNorm, LayerNorm, SGD and Adam kernels on the native backend: each hands the
 * storages' Float32Arrays (undefined for absent optional ones) and the backend's thread count to
 * the addon, which checks lengths and shared memory itself (dlp-kernels' messages, rethrown as
 * ShapeError/ArgumentError) and computes in place.
 */

import { registerKernel } from '../../kernels/registry.js';
import type { Backend, Storage } from '../backend.js';
import { typedErrors } from '../binding-errors.js';
import type { NativeBinding } from './binding.js';
import type { NativeBackend } from './native-backend.js';
import { nativeArray } from './native-backend.js';

const arr = nativeArray;
const opt = (s: Storage | undefined): Float32Array | undefined => s && arr(s);
const addon = (backend: Backend): NativeBinding => (backend as NativeBackend).binding;

let registered = false;

export function registerNativeNormOptimKernels(): void {
  if (registered) return;
  registered = true;

  registerKernel('batchNormTrain', 'native', (backend, a) =>
    typedErrors(() =>
      addon(backend).batchNormTrain(
        arr(a.x), a.outer, a.channels, a.inner, opt(a.gamma), opt(a.beta), a.eps, arr(a.out), arr(a.mean), arr(a.invStd),
        opt(a.runningMean), opt(a.runningVar), a.momentum, backend.threads,
      ),
    ),
  );
  registerKernel('batchNormInference', 'native', (backend, a) =>
    typedErrors(() =>
      addon(backend).batchNormInference(
        arr(a.x), a.outer, a.channels, a.inner, arr(a.runningMean), arr(a.runningVar), opt(a.gamma), opt(a.beta), a.eps,
        arr(a.out), backend.threads,
      ),
    ),
  );
  registerKernel('batchNormBackward', 'native', (backend, a) =>
    typedErrors(() =>
      addon(backend).batchNormBackward(
        arr(a.x), arr(a.dout), a.outer, a.channels, a.inner, arr(a.mean), arr(a.invStd), opt(a.gamma), opt(a.dx),
        opt(a.dgamma), opt(a.dbeta), backend.threads,
      ),
    ),
  );
  registerKernel('layerNorm', 'native', (backend, a) =>
    typedErrors(() =>
      addon(backend).layerNorm(arr(a.x), a.rows, a.cols, opt(a.gamma), opt(a.beta), a.eps, arr(a.out), arr(a.mean), arr(a.invStd)),
    ),
  );
  registerKernel('layerNormBackward', 'native', (backend, a) =>
    typedErrors(() =>
      addon(backend).layerNormBackward(
        arr(a.x), arr(a.dout), a.rows, a.cols, arr(a.mean), arr(a.invStd), opt(a.gamma), opt(a.dx), opt(a.dgamma), opt(a.dbeta),
      ),
    ),
  );
  registerKernel('sgdStep', 'native', (backend, a) =>
    typedErrors(() =>
      addon(backend).sgdStep(
        arr(a.param), arr(a.grad), opt(a.momentumBuffer), a.lr, a.momentum, a.dampening, a.nesterov, a.weightDecay,
        a.firstStep, backend.threads,
      ),
    ),
  );
  registerKernel('adamStep', 'native', (backend, a) =>
    typedErrors(() =>
      addon(backend).adamStep(
        arr(a.param), arr(a.grad), arr(a.expAvg), arr(a.expAvgSq), a.lr, a.beta1, a.beta2, a.eps, a.weightDecay, a.step,
        backend.threads,
      ),
    ),
  );
}
