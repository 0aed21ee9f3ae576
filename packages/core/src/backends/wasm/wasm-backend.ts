/**
 * The wasm backend: the same Rust kernels compiled to WebAssembly (simd128 when the engine has
 * it; on a pool of Web Workers in the `threads` build). Tensors live inside wasm memory, so
 * kernels run on them with no copy in or out; JS sees them through typed-array views made
 * afresh from `memory().buffer` at every `view()`: after the memory grew, an old ArrayBuffer is
 * detached, and an old SharedArrayBuffer (threads build) still has its old, shorter length.
 */

import type { DType, TypedArray } from '../../dtype.js';
import { ArgumentError, DTypeError } from '../../errors.js';
import type { Backend, Storage } from '../backend.js';
import { allocating, assertLive, checkAllocation } from '../memory-errors.js';
import { registerBindingKernels } from '../rust-binding.js';
import { registerKernel } from '../../kernels/registry.js';
import { wasmGatherCenter } from './gather-center.js';
import type { WasmKernels } from './load.js';
import { HostMemoryBackend } from '../host-access.js';

/** A buffer inside wasm memory: its byte address and element count. */
export interface WasmStorage extends Storage {
  readonly ptr: number;
  released: boolean;
}

/** wasm32 addresses 4 GiB: 2^30 float32 at most, less what other tensors and the module use. */
const WASM_MAX_ELEMENTS = 2 ** 30;
const WASM_LIMIT = 'wasm32 memory holds at most 4 GiB (2^30 float32 elements) for all tensors together';

export class WasmBackend extends HostMemoryBackend implements Backend {
  readonly name = 'wasm' as const;
  readonly kernels: WasmKernels;
  /** Threads the kernels use: the pool's size (threads build), unless set lower. */
  #threads: number;
  /** Frees a storage's wasm memory once its tensor is garbage-collected (unless released). */
  readonly #finalizer: FinalizationRegistry<{ ptr: number; length: number }>;

  constructor(kernels: WasmKernels) {
    super();
    this.kernels = kernels;
    this.#threads = kernels.threads;
    this.#finalizer = new FinalizationRegistry(({ ptr, length }) => kernels.freeF32(ptr, length));
    registerBindingKernels('wasm', kernels.glue, (b) => (b as WasmBackend).kernels.glue, live, ['gatherCenter']);
    // The dataset lives in JS memory as bytes, so this one is not a binding call (gather-center.ts).
    registerKernel('gatherCenter', 'wasm', (backend, args) => wasmGatherCenter(backend as WasmBackend, args));
  }

  get threads(): number {
    return this.#threads;
  }

  describe(): string {
    const { variant } = this.kernels;
    if (variant === 'threads') return `wasm (SIMD128, threads: ${this.#threads})`;
    return `wasm (${variant === 'simd' ? 'SIMD128' : 'scalar, no SIMD'}, 1 thread)`;
  }

  setThreads(threads: number): void {
    const max = this.kernels.threads;
    if (max === 1) {
      if (threads !== 1) {
        throw new ArgumentError(
          `the wasm backend's '${this.kernels.variant}' build runs on 1 thread; cannot use ${threads} ` +
            '(the threads build runs in a cross-origin isolated Worker)',
        );
      }
      return;
    }
    if (!Number.isInteger(threads) || threads < 1 || threads > max) {
      throw new ArgumentError(`wasm backend: threads must be an integer from 1 to ${max} (the pool's size), got ${threads}`);
    }
    this.#threads = threads;
  }

  supportsDType(dtype: DType): boolean {
    return dtype === 'float32';
  }

  allocate(length: number, dtype: DType): WasmStorage {
    if (dtype !== 'float32') {
      throw new DTypeError(`the wasm backend supports float32 only (got ${dtype}); float64 runs on the js backend`);
    }
    checkAllocation('wasm', length, dtype, WASM_MAX_ELEMENTS, WASM_LIMIT);
    const ptr = allocating('wasm', length, dtype, WASM_LIMIT, () => this.kernels.allocF32(length));
    const storage: WasmStorage = { ptr, length, dtype, released: false };
    this.#finalizer.register(storage, { ptr, length }, storage);
    return storage;
  }

  /** Zero-filled, as `allocate`: wasm memory is handed out zeroed by the allocator. */
  allocateForOverwrite(length: number, dtype: DType): WasmStorage {
    return this.allocate(length, dtype);
  }

  upload(data: TypedArray): WasmStorage {
    const storage = this.allocate(data.length, data instanceof Float64Array ? 'float64' : 'float32');
    this.view(storage).set(data);
    return storage;
  }

  view(storage: Storage): Float32Array {
    const s = storage as WasmStorage;
    assertLive(s);
    return new Float32Array(this.kernels.memory().buffer, s.ptr, s.length);
  }

  release(storage: Storage): void {
    const s = storage as WasmStorage;
    if (s.released) return;
    s.released = true;
    this.#finalizer.unregister(s);
    this.kernels.freeF32(s.ptr, s.length);
  }
}

/** The storage as a kernel argument; a disposed one is refused, since its memory may hold another tensor now. */
export function live(s: Storage): WasmStorage {
  const storage = s as WasmStorage;
  assertLive(storage);
  return storage;
}
