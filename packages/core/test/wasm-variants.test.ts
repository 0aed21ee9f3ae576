// How the wasm loader picks among its builds in Node (the browser side, with the threads
// build in a cross-origin isolated Worker, is packages/web-demo/test/wasm-threads.test.ts):
// Node has no Web Workers, so it never gets `threads`, and asking for it is a clear error.
import { describe, expect, it } from 'vitest';

import { ArgumentError, BackendUnavailableError } from '../src/errors.js';
import { chooseVariant, threadsUnavailable } from '../src/backends/wasm/load.js';
import { loadWasmKernels, loadWasmKernelsSync } from '../src/backends/wasm/load-node.js';
import { WasmBackend } from '../src/backends/wasm/wasm-backend.js';

describe('wasm variants in Node', () => {
  it('never picks the threads build, and says why when asked for it', async () => {
    expect(threadsUnavailable()).toMatch(/Web Worker/);
    expect(chooseVariant(undefined)).toBe('simd');
    expect(() => loadWasmKernelsSync({ variant: 'threads' })).toThrow(BackendUnavailableError);
    await expect(loadWasmKernels({ variant: 'threads' })).rejects.toThrow(/variant 'threads' runs in a Web Worker only/);
  });

  it('runs the single-threaded builds on one thread, as their glue reports', () => {
    const kernels = loadWasmKernelsSync({ variant: 'simd' });
    expect(kernels.threads).toBe(1);
    expect(kernels.glue.availableThreads()).toBe(1);
    const backend = new WasmBackend(kernels);
    expect(backend.describe()).toBe('wasm (SIMD128, 1 thread)');
    expect(backend.threads).toBe(1);
    expect(() => backend.setThreads(2)).toThrow(ArgumentError);
    backend.setThreads(1);
  });
});
