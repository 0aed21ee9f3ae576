/** Registers the wasm backend for browsers: fetched, so only `await loadBackend('wasm', { wasmUrl })` loads it. */
import { BackendUnavailableError } from '../../errors.js';
import { registerBackend } from '../registry.js';
import { loadWasmKernels } from './load.js';
import { WasmBackend } from './wasm-backend.js';

registerBackend('wasm', {
  create: () => {
    throw new BackendUnavailableError("wasm backend: in a browser it loads asynchronously; call `await loadBackend('wasm', { wasmUrl })` first");
  },
  load: async ({ wasmUrl, wasmVariant, threads }) =>
    new WasmBackend(await loadWasmKernels({ url: wasmUrl, variant: wasmVariant, threads })),
});
