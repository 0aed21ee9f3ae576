/**
 * The errors every backend throws about its memory, built in one place so that js, native and
 * wasm agree on the class and the words: a disposed tensor used again (DisposedTensorError) and
 * an allocation the backend cannot make (AllocationError, naming the size and the limit).
 */

import type { DType } from '../dtype.js';
import { AllocationError, ArgumentError, DisposedTensorError } from '../errors.js';
import type { BackendName } from './backend.js';

/** What a backend sets on a storage when `release()` frees it. */
export interface Releasable {
  released?: boolean;
}

/** Throws DisposedTensorError when the storage was released; the same words on every backend. */
export function assertLive(storage: Releasable): void {
  if (storage.released) {
    throw new DisposedTensorError(
      'a disposed tensor was used: dispose() freed its memory (and that of every view of it), which may hold another tensor now',
    );
  }
}

const BYTES: Record<DType, number> = { float32: 4, float64: 8 };

/** A byte count for people: 17179869184 -> "16 GiB". */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : Number(value.toPrecision(3))} ${units[unit]}`;
}

/**
 * Checks an allocation of `length` elements against the backend's limit (`maxElements`, and
 * `limit`: how that limit reads in words): ArgumentError for a length that is not a count,
 * AllocationError for one over the limit.
 */
export function checkAllocation(backend: BackendName, length: number, dtype: DType, maxElements: number, limit: string): void {
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new ArgumentError(`${backend} backend: cannot allocate ${length} elements: a length is an integer >= 0`);
  }
  if (length > maxElements) throw allocationError(backend, length, dtype, limit);
}

/** The AllocationError for `length` elements of `dtype` over `limit` (or refused by the machine). */
export function allocationError(backend: BackendName, length: number, dtype: DType, limit: string, cause?: unknown): AllocationError {
  const size = `${length} ${dtype} elements (${formatBytes(length * BYTES[dtype])})`;
  return new AllocationError(`${backend} backend: cannot allocate ${size}: ${limit}`, cause === undefined ? undefined : { cause });
}

/**
 * Runs `allocate`, turning the engine's failure to find the memory (a RangeError from a typed
 * array or an ArrayBuffer, or wasm's failure to grow) into an AllocationError.
 */
export function allocating<T>(backend: BackendName, length: number, dtype: DType, limit: string, allocate: () => T): T {
  try {
    return allocate();
  } catch (error) {
    if (error instanceof ArgumentError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw allocationError(backend, length, dtype, `the memory could not be had (${reason}); ${limit}`, error);
  }
}

/**
 * The most elements a typed array may hold in this engine (V8 in Node 20: 2^32); js and native
 * tensors are typed arrays.
 */
export const TYPED_ARRAY_MAX_ELEMENTS = 2 ** 32;
