/**
 * Registers the BatchNorm, LayerNorm, SGD and Adam kernels on the wasm backend: each passes the
 * kernel's arguments with every storage as its (pointer, length) buffer to the module, which
 * checks lengths and shared memory itself (dlp-kernels' messages, rethrown as
 * ShapeError/ArgumentError). One thread.
 */

import { registerKernel } from '../../kernels/registry.js';
import type { WithBuffers } from '../../kernels/with-buffers.js';
import type { Backend } from '../backend.js';
import { typedErrors } from '../binding-errors.js';
import { live } from './kernels.js';
import type { WasmBuffer, WasmKernels } from './load.js';
import type { WasmBackend } from './wasm-backend.js';

const wasm = (backend: Backend): WasmKernels => (backend as WasmBackend).kernels;

/** The args with each storage as its live wasm buffer (a disposed one is refused). */
export function onBuffers<A extends object>(args: A): WithBuffers<A, WasmBuffer> {
  const isStorage = (v: unknown) => typeof v === 'object' && v !== null && 'ptr' in v;
  return Object.fromEntries(Object.entries(args).map(([k, v]) => [k, isStorage(v) ? live(v as never) : v])) as WithBuffers<A, WasmBuffer>;
}

let registered = false;

export function registerWasmNormOptimKernels(): void {
  if (registered) return;
  registered = true;
  registerKernel('batchNormTrain', 'wasm', (b, args) => typedErrors(() => wasm(b).batchNormTrain(onBuffers(args))));
  registerKernel('batchNormInference', 'wasm', (b, args) => typedErrors(() => wasm(b).batchNormInference(onBuffers(args))));
  registerKernel('batchNormBackward', 'wasm', (b, args) => typedErrors(() => wasm(b).batchNormBackward(onBuffers(args))));
  registerKernel('layerNorm', 'wasm', (b, args) => typedErrors(() => wasm(b).layerNorm(onBuffers(args))));
  registerKernel('layerNormBackward', 'wasm', (b, args) => typedErrors(() => wasm(b).layerNormBackward(onBuffers(args))));
  registerKernel('sgdStep', 'wasm', (b, args) => typedErrors(() => wasm(b).sgdStep(onBuffers(args))));
  registerKernel('adamStep', 'wasm', (b, args) => typedErrors(() => wasm(b).adamStep(onBuffers(args))));
}
