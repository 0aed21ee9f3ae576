/**
 * `read`, `write` and `fill` for the backends whose storage the host reaches through a view
 * (js, native, wasm): each a copy through `view()`. A device backend (CUDA) copies to and from
 * the device instead; core code uses these three, never `view()`, so it runs on both.
 */

import type { TypedArray } from '../dtype.js';
import { ArgumentError } from '../errors.js';
import type { Storage } from './backend.js';

/** Checks that elements [offset, offset + length) lie inside a storage of `size` elements. */
export function checkRange(what: string, size: number, offset: number, length: number): void {
  if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > size) {
    throw new ArgumentError(`${what}: elements ${offset}..${offset + length} are outside the storage's ${size}`);
  }
}

/** A copy of `length` elements of `view` from `offset` (default: all of it). */
export function readHost(view: TypedArray, offset = 0, length = view.length - offset): TypedArray {
  checkRange('read', view.length, offset, length);
  return view.slice(offset, offset + length);
}

/** Copies `data` into `view` from element `offset`. */
export function writeHost(view: TypedArray, data: ArrayLike<number>, offset = 0): void {
  checkRange('write', view.length, offset, data.length);
  view.set(data, offset);
}

/** The base of those backends: `read`, `write` and `fill` through the subclass's `view()`. */
export abstract class HostMemoryBackend {
  abstract view(storage: Storage): TypedArray;

  read(storage: Storage, offset?: number, length?: number): TypedArray {
    return readHost(this.view(storage), offset, length);
  }

  write(storage: Storage, data: ArrayLike<number>, offset?: number): void {
    writeHost(this.view(storage), data, offset);
  }

  fill(storage: Storage, value: number): void {
    this.view(storage).fill(value);
  }
}
