/**
 * What every backend provides: memory for tensors and a name to look kernels up by.
 * Core code never imports a backend; it asks the kernel registry for `(kernel, backend.name)`.
 */

import type { DType, TypedArray } from '../dtype.js';

export type BackendName = 'cuda' | 'js' | 'native' | 'wasm';

/** Every backend, fastest first: the order in which `auto` tries those an entry point registered. */
export const BACKEND_NAMES: readonly BackendName[] = ['cuda', 'native', 'wasm', 'js'];

/** A tensor's memory, owned by one backend. Opaque outside that backend. */
export interface Storage {
  readonly length: number;
  readonly dtype: DType;
}

export interface Backend {
  readonly name: BackendName;
  /** One line for people: e.g. "native (avx2+fma, 2 threads)". */
  describe(): string;
  supportsDType(dtype: DType): boolean;
  /** Zero-filled storage of `length` elements. */
  allocate(length: number, dtype: DType): Storage;
  /**
   * Storage of `length` elements whose contents are unspecified, for the output of a kernel that
   * writes every element (what the kernels' docs call "overwritten"): it skips the zero fill,
   * which costs a pass over the memory. Backends without a cheaper way return `allocate`'s.
   */
  allocateForOverwrite(length: number, dtype: DType): Storage;
  /** Storage holding a copy of `data`. */
  upload(data: TypedArray): Storage;
  /**
   * A live view of the storage's elements (reads and writes go to the storage). On wasm the
   * view is invalidated when wasm memory grows: take a fresh one after any allocation. For the
   * backends' own kernels: code outside a backend uses `read`, `write` and `fill`, which a
   * backend whose memory the host cannot see (a GPU's) implements by copying.
   */
  view(storage: Storage): TypedArray;
  /** A copy of `length` elements from element `offset` (default: the whole storage). */
  read(storage: Storage, offset?: number, length?: number): TypedArray;
  /** Copies `data` into the storage from element `offset` (default 0). */
  write(storage: Storage, data: ArrayLike<number>, offset?: number): void;
  /** Sets every element to `value`. */
  fill(storage: Storage, value: number): void;
  /** Frees the storage now (otherwise the garbage collector does it eventually). */
  release(storage: Storage): void;
  /** Worker threads kernels may use; 1 on backends without threads. */
  readonly threads: number;
  /** Sets the worker threads (like torch.set_num_threads); ArgumentError where unsupported. */
  setThreads(threads: number): void;
}
