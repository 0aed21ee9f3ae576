/**
 * The reference backend: plain TypeScript loops over typed arrays, float32 and float64.
 * Slow on purpose, for clarity; every fast backend is tested against it.
 */

import type { DType, TypedArray } from '../../dtype.js';
import { allocateTypedArray, dtypeOf } from '../../dtype.js';
import { ArgumentError } from '../../errors.js';
import type { Backend, Storage } from '../backend.js';
import { allocating, assertLive, checkAllocation, TYPED_ARRAY_MAX_ELEMENTS } from '../memory-errors.js';
import { registerJsKernels } from './kernels.js';
import type { JsStorage } from './storage.js';
import { HostMemoryBackend } from '../host-access.js';

export type { JsStorage } from './storage.js';

export class JsBackend extends HostMemoryBackend implements Backend {
  readonly name = 'js' as const;
  readonly threads = 1;

  constructor() {
    super();
    registerJsKernels();
  }

  describe(): string {
    return 'js (TypeScript reference loops, float32/float64, 1 thread)';
  }

  supportsDType(_dtype: DType): boolean {
    return true;
  }

  allocate(length: number, dtype: DType): JsStorage {
    checkAllocation('js', length, dtype, TYPED_ARRAY_MAX_ELEMENTS, JS_LIMIT);
    return wrap(allocating('js', length, dtype, JS_LIMIT, () => allocateTypedArray(dtype, length)));
  }

  /** Zero-filled, as `allocate`: plain arrays come zeroed anyway. */
  allocateForOverwrite(length: number, dtype: DType): JsStorage {
    return this.allocate(length, dtype);
  }

  upload(data: TypedArray): JsStorage {
    return wrap(allocating('js', data.length, dtypeOf(data), JS_LIMIT, () => data.slice()));
  }

  view(storage: Storage): TypedArray {
    assertLive(storage as JsStorage);
    return (storage as JsStorage).array;
  }

  /**
   * Marks the storage freed (the garbage collector takes the array): using it afterwards throws
   * DisposedTensorError, as on native and wasm, so code tested here behaves the same there.
   */
  release(storage: Storage): void {
    (storage as JsStorage).released = true;
  }

  setThreads(threads: number): void {
    if (threads !== 1) throw new ArgumentError(`the js backend runs on 1 thread; cannot use ${threads}`);
  }
}

const JS_LIMIT = 'a js tensor is a typed array, which holds at most 2^32 elements';

function wrap(array: TypedArray): JsStorage {
  return { array, length: array.length, dtype: dtypeOf(array), released: false };
}
