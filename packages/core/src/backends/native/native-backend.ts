/**
 * The native backend: Rust kernels (SIMD, multi-threaded) through the napi-rs addon. Tensors
 * live in ordinary Float32Arrays that the addon reads and writes in place, without copies.
 */

import type { DType, TypedArray } from '../../dtype.js';
import { ArgumentError, DTypeError } from '../../errors.js';
import { allocating, assertLive, checkAllocation, TYPED_ARRAY_MAX_ELEMENTS } from '../memory-errors.js';
import type { Backend, Storage } from '../backend.js';
import { registerBindingKernels } from '../rust-binding.js';
import { loadNativeAddon, type NativeAddon } from './binding.js';
import { HostMemoryBackend } from '../host-access.js';

/** On the native backend a storage is a Float32Array the addon reads and writes in place. */
export interface NativeStorage extends Storage {
  readonly array: Float32Array;
  /** Set by release(): the array may already hold another tensor. */
  released: boolean;
}

/**
 * Released arrays kept by length for the next allocation of that length. A training step
 * allocates the same large buffers every time (gradients of the weights, above all); recycled
 * ones are already mapped and warm, where fresh ones cost a page fault per 4 KiB and a GC later.
 */
class ArrayPool {
  /** Smaller arrays are cheap to allocate; pooling them would only add bookkeeping. */
  static readonly MIN_LENGTH = 16_384;
  static readonly MAX_BYTES = 512 * 2 ** 20;
  readonly #free = new Map<number, Float32Array[]>();
  #bytes = 0;

  take(length: number): Float32Array | undefined {
    const array = this.#free.get(length)?.pop();
    if (array) this.#bytes -= array.byteLength;
    return array;
  }

  give(array: Float32Array): void {
    if (array.length < ArrayPool.MIN_LENGTH || this.#bytes + array.byteLength > ArrayPool.MAX_BYTES) return;
    const list = this.#free.get(array.length) ?? [];
    list.push(array);
    this.#free.set(array.length, list);
    this.#bytes += array.byteLength;
  }
}

export class NativeBackend extends HostMemoryBackend implements Backend {
  readonly name = 'native' as const;
  readonly binding: NativeAddon;
  #threads: number;
  readonly #pool = new ArrayPool();

  /** Whether freed memory stays in the process (see the constructor). */
  readonly retainsFreedMemory: boolean;

  /**
   * Throws BackendUnavailableError (naming why) when the addon cannot be loaded.
   *
   * Also tells the process's allocator to keep freed memory (glibc only): a training step frees
   * and allocates the same large buffers every time, and fresh pages cost a page fault each
   * (about 10 µs here; some 20 ms per ConvNet step). Resident memory then stays at its
   * high-water mark. DLP_NATIVE_RETAIN_MEMORY=0 leaves the allocator as it is.
   */
  constructor() {
    super();
    this.binding = loadNativeAddon();
    this.retainsFreedMemory = globalThis.process?.env?.DLP_NATIVE_RETAIN_MEMORY !== '0' && this.binding.retainFreedMemory();
    this.#threads = this.binding.availableThreads();
    registerBindingKernels('native', this.binding, (b) => (b as NativeBackend).binding, nativeArray);
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

  /**
   * Whether `allocateForOverwrite` fills its arrays with NaN (like PyTorch's
   * `fill_uninitialized_memory`): a debugging aid that makes a kernel which leaves part of an
   * output unwritten show up as NaNs. Off by default; the tests turn it on.
   */
  poisonUninitialized = false;

  allocate(length: number, dtype: DType): NativeStorage {
    this.#checkDType(dtype);
    checkAllocation('native', length, dtype, TYPED_ARRAY_MAX_ELEMENTS, NATIVE_LIMIT);
    const recycled = this.#pool.take(length);
    return wrap(recycled ? recycled.fill(0) : allocating('native', length, dtype, NATIVE_LIMIT, () => new Float32Array(length)));
  }

  /**
   * A recycled array as it is, or fresh memory that is not zero-filled: a ConvNet step allocates
   * some 300 MiB of outputs, and clearing them cost more time than the max-pools.
   */
  allocateForOverwrite(length: number, dtype: DType): NativeStorage {
    this.#checkDType(dtype);
    checkAllocation('native', length, dtype, TYPED_ARRAY_MAX_ELEMENTS, NATIVE_LIMIT);
    const array = this.#pool.take(length) ?? allocating('native', length, dtype, NATIVE_LIMIT, () => uninitializedFloat32(length));
    return wrap(this.poisonUninitialized ? array.fill(Number.NaN) : array);
  }

  upload(data: TypedArray): NativeStorage {
    this.#checkDType(data instanceof Float64Array ? 'float64' : 'float32');
    return wrap(allocating('native', data.length, 'float32', NATIVE_LIMIT, () => (data as Float32Array).slice()));
  }

  view(storage: Storage): Float32Array {
    return nativeArray(storage);
  }

  /**
   * Hands the array back for reuse by a later allocation (without a release, the garbage
   * collector frees it). The storage, and every tensor on it, must not be used afterwards.
   */
  release(storage: Storage): void {
    const s = storage as NativeStorage;
    if (s.released) return;
    s.released = true;
    this.#pool.give(s.array);
  }

  #checkDType(dtype: DType): void {
    if (dtype !== 'float32') {
      throw new DTypeError(`the native backend supports float32 only (got ${dtype}); float64 runs on the js backend`);
    }
  }
}

const NATIVE_LIMIT = 'a native tensor is a Float32Array, which holds at most 2^32 elements';

/** Node's Buffer, looked up once (absent outside Node). */
const NodeBuffer = (globalThis as { Buffer?: { allocUnsafeSlow(size: number): Uint8Array } }).Buffer;

/**
 * A Float32Array over memory that is not zero-filled: Node's Buffer.allocUnsafeSlow (malloc, where
 * `new Float32Array` callocs, which clears memory the process had freed). Small arrays, and
 * runtimes without Node's Buffer, get an ordinary zeroed array.
 */
function uninitializedFloat32(length: number): Float32Array {
  if (!NodeBuffer || length < ArrayPool.MIN_LENGTH) return new Float32Array(length);
  const bytes = NodeBuffer.allocUnsafeSlow(length * Float32Array.BYTES_PER_ELEMENT);
  return new Float32Array(bytes.buffer, bytes.byteOffset, length);
}

function wrap(array: Float32Array): NativeStorage {
  return { array, length: array.length, dtype: 'float32', released: false };
}

/** The storage's array; a released one is refused, since its memory may hold another tensor now. */
export function nativeArray(storage: Storage): Float32Array {
  const s = storage as NativeStorage;
  assertLive(s);
  return s.array;
}
