/**
 * The native backend: Rust kernels (SIMD, multi-threaded) through the napi-rs addon. Tensors
 * live in ordinary Float32Arrays that the addon reads and writes in place, without copies.
 */

import type { DType, TypedArray } from '../../dtype.js';
import { ArgumentError, DTypeError } from '../../errors.js';
import type { Backend, Storage } from '../backend.js';
import { loadNativeBinding, type NativeBinding } from './binding.js';
import { registerNativeKernels } from './kernels.js';

/** On the native backend a storage is a Float32Array the addon reads and writes in place. */
export interface NativeStorage extends Storage {
  readonly array: Float32Array;
}

export class NativeBackend implements Backend {
  readonly name = 'native' as const;
  readonly binding: NativeBinding;
  #threads: number;

  /** Throws BackendUnavailableError (naming why) when the addon cannot be loaded. */
  constructor() {
    this.binding = loadNativeBinding();
    this.#threads = this.binding.availableThreads();
    registerNativeKernels();
  }

  get threads(): number {
    return this.#threads;
  }

  setThreads(threads: number): void {
    const max = this.binding.availableThreads();
    if (!Number.isInteger(threads) || threads < 1 || threads > max) {
      throw new ArgumentError(`native backend: threads must be an integer from 1 to ${max} (this machine's pool), got ${threads}`);
    }
    this.#threads = threads;
  }

  describe(): string {
    return `native (Rust, ${this.binding.simdLevel()}, ${this.#threads} thread${this.#threads === 1 ? '' : 's'})`;
  }

  supportsDType(dtype: DType): boolean {
    return dtype === 'float32';
  }

  allocate(length: number, dtype: DType): NativeStorage {
    this.#checkDType(dtype);
    return wrap(new Float32Array(length));
  }

  upload(data: TypedArray): NativeStorage {
    this.#checkDType(data instanceof Float64Array ? 'float64' : 'float32');
    return wrap((data as Float32Array).slice());
  }

  view(storage: Storage): Float32Array {
    return (storage as NativeStorage).array;
  }

  release(_storage: Storage): void {
    // JS-heap memory: the garbage collector frees it.
  }

  #checkDType(dtype: DType): void {
    if (dtype !== 'float32') {
      throw new DTypeError(`the native backend supports float32 only (got ${dtype}); float64 runs on the js backend`);
    }
  }
}

function wrap(array: Float32Array): NativeStorage {
  return { array, length: array.length, dtype: 'float32' };
}
