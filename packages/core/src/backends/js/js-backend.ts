/**
 * The reference backend: plain TypeScript loops over typed arrays, float32 and float64.
 * Slow on purpose, for clarity; every fast backend is tested against it.
 */

import type { DType, TypedArray } from '../../dtype.js';
import { allocateTypedArray, dtypeOf } from '../../dtype.js';
import { ArgumentError } from '../../errors.js';
import type { Backend, Storage } from '../backend.js';
import { registerJsKernels } from './kernels.js';
import type { JsStorage } from './storage.js';

export type { JsStorage } from './storage.js';

export class JsBackend implements Backend {
  readonly name = 'js' as const;
  readonly threads = 1;

  constructor() {
    registerJsKernels();
  }

  describe(): string {
    return 'js (TypeScript reference loops, float32/float64, 1 thread)';
  }

  supportsDType(_dtype: DType): boolean {
    return true;
  }

  allocate(length: number, dtype: DType): JsStorage {
    return wrap(allocateTypedArray(dtype, length));
  }

  /** Zero-filled, as `allocate`: plain arrays come zeroed anyway. */
  allocateForOverwrite(length: number, dtype: DType): JsStorage {
    return this.allocate(length, dtype);
  }

  upload(data: TypedArray): JsStorage {
    return wrap(data.slice());
  }

  view(storage: Storage): TypedArray {
    return (storage as JsStorage).array;
  }

  release(_storage: Storage): void {
    // Garbage-collected like any typed array.
  }

  setThreads(threads: number): void {
    if (threads !== 1) throw new ArgumentError(`the js backend runs on 1 thread; cannot use ${threads}`);
  }
}

function wrap(array: TypedArray): JsStorage {
  return { array, length: array.length, dtype: dtypeOf(array) };
}
