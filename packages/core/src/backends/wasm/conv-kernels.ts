/**
 * Registers the convolution and max-pooling kernels on the wasm backend: each passes the
 * kernel's arguments with every storage as its (pointer, length) buffer to the module, which
 * checks lengths and shared memory itself (dlp-kernels' messages, rethrown as
 * ShapeError/ArgumentError). One thread.
 */

import { registerKernel } from '../../kernels/registry.js';
import type { Backend } from '../backend.js';
import { typedErrors } from '../binding-errors.js';
import type { WasmKernels } from './load.js';
import { onBuffers } from './norm-optim-kernels.js';
import type { WasmBackend } from './wasm-backend.js';

const wasm = (backend: Backend): WasmKernels => (backend as WasmBackend).kernels;

let registered = false;

export function registerWasmConvKernels(): void {
  if (registered) return;
  registered = true;
  registerKernel('conv2d', 'wasm', (b, args) => typedErrors(() => wasm(b).conv2d(onBuffers(args))));
  registerKernel('conv2dBackwardInput', 'wasm', (b, args) => typedErrors(() => wasm(b).conv2dBackwardInput(onBuffers(args))));
  registerKernel('conv2dBackwardWeight', 'wasm', (b, args) => typedErrors(() => wasm(b).conv2dBackwardWeight(onBuffers(args))));
  registerKernel('maxPool2d', 'wasm', (b, args) => typedErrors(() => wasm(b).maxPool2d(onBuffers(args))));
  registerKernel('maxPool2dBackward', 'wasm', (b, args) => typedErrors(() => wasm(b).maxPool2dBackward(onBuffers(args))));
}
