/**
 * The native backend's memory: released arrays recycled (zeroed on reuse, released storage
 * refused; not cleared for outputs a kernel overwrites), and glibc's malloc told to keep freed
 * memory in the process.
 */

import { describe, expect, it } from 'vitest';
import { getBackend, getKernel, Tensor } from '../../src/index.js';
import type { NativeBackend } from '../../src/backends/native/native-backend.js';

describe('native backend memory reuse', () => {
  const native = getBackend('native');

  it('hands a released array to the next allocation of that length, zeroed', () => {
    const a = Tensor.from(new Float32Array(20_000).fill(7), [20_000], { backend: native });
    const array = native.view(a.storage);
    a.dispose();
    const b = Tensor.zeros([20_000], { backend: native });
    expect(native.view(b.storage)).toBe(array);
    expect(native.view(b.storage).every((v) => v === 0)).toBe(true);
  });

  it('hands a released array to an output allocation as it is, or NaN-filled when poisoning', () => {
    const backend = native as NativeBackend;
    const a = Tensor.from(new Float32Array(20_000).fill(7), [20_000], { backend: native });
    const array = native.view(a.storage);
    a.dispose();
    const b = backend.allocateForOverwrite(20_000, 'float32');
    expect(native.view(b)).toBe(array);
    expect(native.view(b).every((v) => v === 7)).toBe(true);
    backend.release(b);
    backend.poisonUninitialized = true;
    try {
      const c = backend.allocateForOverwrite(20_000, 'float32');
      expect(native.view(c)).toBe(array);
      expect(native.view(c).every(Number.isNaN)).toBe(true);
      const fresh = backend.allocateForOverwrite(30_000, 'float32');
      expect(native.view(fresh).length).toBe(30_000);
      expect(native.view(fresh).every(Number.isNaN)).toBe(true);
    } finally {
      backend.poisonUninitialized = false;
    }
    expect(() => backend.allocateForOverwrite(4, 'float64')).toThrow(/supports float32 only/);
  });

  it('refuses a released tensor in views and kernels, naming the problem', () => {
    const a = Tensor.zeros([4], { backend: native });
    const out = Tensor.zeros([4], { backend: native });
    a.dispose();
    expect(() => a.toArray()).toThrow(/a disposed tensor was used/);
    expect(() => getKernel('elu', 'native')(native, { x: a.storage, out: out.storage, alpha: 1 })).toThrow(/a disposed tensor was used/);
  });

  // process.report names the C library: glibc's version on a glibc Linux, absent elsewhere.
  const glibc = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header?.glibcVersionRuntime;

  it.runIf(process.platform === 'linux' && glibc !== undefined)('keeps freed memory in the process under glibc (mallopt took effect)', () => {
    expect((native as NativeBackend).retainsFreedMemory).toBe(true);
    expect((native as NativeBackend).binding.retainFreedMemory()).toBe(true);
  });
});
