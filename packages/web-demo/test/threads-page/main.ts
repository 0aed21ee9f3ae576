/**
 * The threads test page's own script (bundled by harness.mjs): runs a request in a fresh Worker
 * (one backend per Worker: the registry keeps one per realm), or loads the wasm backend on the
 * page's main thread, where the threads build must not be picked.
 */
import { BackendUnavailableError, loadBackend } from '@dlp/core/browser';
import type { Request } from './worker.js';

type Reply = { ok: true; result: unknown } | { ok: false; name: string; isUnavailable: boolean; message: string };

async function inWorker(request: Request): Promise<Reply> {
  const worker = new Worker('/build/worker.js', { type: 'module' });
  try {
    return await new Promise<Reply>((resolve, reject) => {
      worker.addEventListener('message', (e: MessageEvent<Reply>) => resolve(e.data));
      worker.addEventListener('error', (e) => reject(new Error(`worker failed: ${e.message}`)));
      worker.postMessage(request);
    });
  } finally {
    worker.terminate();
  }
}

async function onMainThread(variant?: 'simd' | 'threads'): Promise<Reply> {
  try {
    const backend = await loadBackend('wasm', { wasmUrl: '/wasm/', ...(variant && { wasmVariant: variant }) });
    return { ok: true, result: { describe: backend.describe(), threads: backend.threads } };
  } catch (err) {
    const e = err as Error;
    return { ok: false, name: e.constructor.name, isUnavailable: err instanceof BackendUnavailableError, message: e.message };
  }
}

(globalThis as unknown as { dlpTest: unknown }).dlpTest = { inWorker, onMainThread };
document.body.dataset.ready = 'true';
