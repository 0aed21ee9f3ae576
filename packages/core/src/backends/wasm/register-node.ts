/** Registers the wasm backend for Node: loaded from this package's wasm/ folder, synchronously or not. */
import { registerBackend } from '../registry.js';
import { loadWasmKernels, loadWasmKernelsSync } from './load-node.js';
import { WasmBackend } from './wasm-backend.js';

registerBackend('wasm', {
  create: () => new WasmBackend(loadWasmKernelsSync()),
  load: async ({ wasmUrl, wasmVariant, threads }) =>
    new WasmBackend(await loadWasmKernels({ url: wasmUrl, variant: wasmVariant, threads })),
});
