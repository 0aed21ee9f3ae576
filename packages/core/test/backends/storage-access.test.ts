/**
 * Backend.read / write / fill, which every backend offers and core code uses instead of a live
 * view (so that a backend whose memory the host cannot see, a GPU's, can run it): the same
 * results on js (float32 and float64), native and wasm, copies that do not alias the storage,
 * and one ArgumentError for a range outside the storage.
 */

import { describe, expect, it } from 'vitest';
import { ArgumentError, getBackend, Tensor, type DType } from '../../src/index.js';

const cases: Array<[string, DType]> = [
  ['js', 'float32'],
  ['js', 'float64'],
  ['native', 'float32'],
  ['wasm', 'float32'],
];

describe.each(cases)('%s backend, %s', (name, dtype) => {
  const backend = getBackend(name);

  it('writes at an offset, reads a range back, and fills', () => {
    const storage = backend.allocate(6, dtype);
    backend.write(storage, [1.5, -2, 3], 2);
    expect(Array.from(backend.read(storage))).toEqual([0, 0, 1.5, -2, 3, 0]);
    expect(Array.from(backend.read(storage, 3, 2))).toEqual([-2, 3]);
    backend.fill(storage, 0.25);
    expect(Array.from(backend.read(storage))).toEqual([0.25, 0.25, 0.25, 0.25, 0.25, 0.25]);
    backend.release(storage);
  });

  it('returns copies: changing what read returned leaves the storage as it was', () => {
    const storage = backend.upload(dtype === 'float64' ? Float64Array.of(1, 2, 3) : Float32Array.of(1, 2, 3));
    const copy = backend.read(storage);
    copy[0] = 99;
    expect(Array.from(backend.read(storage))).toEqual([1, 2, 3]);
    backend.release(storage);
  });

  it('refuses a range outside the storage with an ArgumentError naming it', () => {
    const storage = backend.allocate(4, dtype);
    expect(() => backend.read(storage, 2, 3)).toThrow(new ArgumentError("read: elements 2..5 are outside the storage's 4"));
    expect(() => backend.write(storage, [1, 2], 3)).toThrow(new ArgumentError("write: elements 3..5 are outside the storage's 4"));
    expect(() => backend.read(storage, -1, 1)).toThrow(ArgumentError);
    backend.release(storage);
  });

  it("is what a tensor's toArray, item and a module's weights go through", () => {
    const t = Tensor.from([1, 2, 3, 4, 5, 6], [2, 3], { backend, dtype });
    expect(Array.from(t.transpose(0, 1).toArray())).toEqual([1, 4, 2, 5, 3, 6]);
    expect(Tensor.from([7], [1], { backend, dtype }).item()).toBe(7);
  });
});
