/**
 * Registers the convolution and max-pooling kernels on the native backend: each hands the
 * storages' Float32Arrays (undefined for absent optional ones), the kernel's args object as the
 * geometry and, for the GEMM-based convolutions, the backend's thread count to the addon, which
 * checks lengths and shared memory itself (dlp-kernels' messages, rethrown as
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

export function registerNativeConvKernels(): void {
  if (registered) return;
  registered = true;
  registerKernel('conv2d', 'native', (backend, a) =>
    typedErrors(() => addon(backend).conv2d(arr(a.x), arr(a.weight), opt(a.bias), arr(a.out), a, backend.threads)),
  );
  registerKernel('conv2dBackwardInput', 'native', (backend, a) =>
    typedErrors(() => addon(backend).conv2dBackwardInput(arr(a.dout), arr(a.weight), arr(a.dx), a, backend.threads)),
  );
  registerKernel('conv2dBackwardWeight', 'native', (backend, a) =>
    typedErrors(() =>
      addon(backend).conv2dBackwardWeight(arr(a.x), arr(a.dout), arr(a.dweight), opt(a.dbias), a, backend.threads),
    ),
  );
  registerKernel('maxPool2d', 'native', (backend, a) =>
    typedErrors(() => addon(backend).maxPool2d(arr(a.x), arr(a.out), a.indices, a)),
  );
  registerKernel('maxPool2dBackward', 'native', (backend, a) =>
    typedErrors(() => addon(backend).maxPool2dBackward(arr(a.dout), a.indices, arr(a.dx), a)),
  );
}
