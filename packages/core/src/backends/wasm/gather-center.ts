/**
 * gatherCenter on the wasm backend. The dataset stays in JS memory as bytes (a Uint8Array the
 * page or Node read once); a batch is formed in two passes over only its own images:
 *  1. each image's bytes are copied into the wasm-resident output tensor with
 *     `Float32Array.prototype.set(Uint8Array)`, which the engine runs as native code (u8 → f32);
 *  2. the Rust `biasAdd` kernel adds the negated mean image to every row in place (SIMD, and on
 *     the pool in the threads build).
 * A JS loop doing both per element took ~1.4 ms per 200-image batch in Node; these two passes
 * ~0.4 ms (bench/kernel-call-cost.mjs style timing, see the commit). Results are bit-identical to
 * the loop: x − m is rounded once to f32 either way (x is an exact integer, −m exact).
 */

import type { GatherCenterArgs } from '../../kernels/images.js';
import { getKernel } from '../../kernels/registry.js';
import { checkGatherCenter } from '../js/images.js';
import type { WasmBackend, WasmStorage } from './wasm-backend.js';

/** The negated mean image in wasm memory, per mean array (reused while its values are unchanged). */
interface NegatedMean {
  storage: WasmStorage;
  values: Float32Array;
}

const negatedMeans = new WeakMap<WasmBackend, WeakMap<Float32Array, NegatedMean>>();

function negatedMean(backend: WasmBackend, mean: Float32Array): WasmStorage {
  let perMean = negatedMeans.get(backend);
  if (!perMean) negatedMeans.set(backend, (perMean = new WeakMap()));
  const cached = perMean.get(mean);
  // Compared value by value (3 µs for CIFAR's 3072): a caller may refill the same array.
  if (cached && !cached.storage.released && cached.values.every((v, j) => v === mean[j])) return cached.storage;
  if (cached) backend.release(cached.storage);
  const storage = backend.upload(mean.map((v) => -v));
  perMean.set(mean, { storage, values: mean.slice() });
  return storage;
}

export function wasmGatherCenter(backend: WasmBackend, args: GatherCenterArgs): void {
  const out = backend.view(args.out);
  const d = checkGatherCenter(args, out);
  const { pixels, indices, mean } = args;
  const bias = negatedMean(backend, mean);
  // The upload above may have grown the memory: view the output afresh.
  const rows = backend.view(args.out);
  for (let r = 0; r < indices.length; r++) {
    const start = indices[r]! * d;
    rows.set(pixels.subarray(start, start + d), r * d);
  }
  getKernel('biasAdd', 'wasm')(backend, { x: args.out, bias, out: args.out, rows: indices.length, cols: d });
}
