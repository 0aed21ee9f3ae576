/** Tensor construction, views and matmul's shape/backend/dtype checks. */

import { describe, expect, it } from 'vitest';
import { DTypeError, getBackend, matmul, ShapeError, Tensor, ArgumentError, BackendUnavailableError } from '../src/index.js';

describe('Tensor', () => {
  it('holds a copy of its data with shape, strides and dtype', () => {
    const source = new Float32Array([1, 2, 3, 4, 5, 6]);
    const t = Tensor.from(source, [2, 3], { backend: 'js' });
    source[0] = 100;
    expect(t.shape).toEqual([2, 3]);
    expect(t.strides).toEqual([3, 1]);
    expect(t.dtype).toBe('float32');
    expect(Array.from(t.toArray())).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('transposes as a view and copies out in logical order', () => {
    const t = Tensor.from([1, 2, 3, 4, 5, 6], [2, 3], { backend: 'js' }).t();
    expect(t.shape).toEqual([3, 2]);
    expect(t.isContiguous()).toBe(false);
    expect(Array.from(t.toArray())).toEqual([1, 4, 2, 5, 3, 6]);
    expect(Array.from(t.reshape([6]).toArray())).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it('refuses data that does not fill the shape', () => {
    expect(() => Tensor.from([1, 2, 3], [2, 2], { backend: 'js' })).toThrow(ShapeError);
    expect(() => Tensor.from([1, 2, 3], [2, 2], { backend: 'js' })).toThrow('3 values cannot fill shape [2,2] (4 elements)');
  });

  it('keeps float64 on the js backend and refuses it elsewhere with a reason', () => {
    expect(Tensor.zeros([2], { backend: 'js', dtype: 'float64' }).toArray()).toBeInstanceOf(Float64Array);
    expect(() => Tensor.zeros([2], { backend: 'native', dtype: 'float64' })).toThrow(DTypeError);
    expect(() => Tensor.zeros([2], { backend: 'wasm', dtype: 'float64' })).toThrow(/float64 runs on the js backend/);
  });

  it('wasm tensors can be disposed, and a disposed tensor says so', () => {
    const t = Tensor.from([1, 2], [2], { backend: 'wasm' });
    t.dispose();
    expect(() => t.toArray()).toThrow(/disposed/);
  });
});

describe('matmul', () => {
  for (const backend of ['js', 'native', 'wasm']) {
    it(`multiplies, including transposed views, on ${backend}`, () => {
      const a = Tensor.from([1, 2, 3, 4, 5, 6], [2, 3], { backend });
      const b = Tensor.from([1, 0, 0, 1, 1, 1], [3, 2], { backend });
      expect(Array.from(matmul(a, b).toArray())).toEqual([4, 5, 10, 11]);
      // aᵀ·a (3×3) and a·aᵀ (2×2) through transpose flags, not copies
      expect(Array.from(matmul(a.t(), a).toArray())).toEqual([17, 22, 27, 22, 29, 36, 27, 36, 45]);
      expect(Array.from(matmul(a, a.t()).toArray())).toEqual([14, 32, 32, 77]);
    });
  }

  it('names both shapes when the inner dimensions differ', () => {
    const a = Tensor.zeros([200, 3072], { backend: 'js' });
    const b = Tensor.zeros([100, 3072], { backend: 'js' });
    expect(() => matmul(a, b)).toThrow(ShapeError);
    expect(() => matmul(a, b)).toThrow('matmul: shapes [200,3072] and [100,3072] do not match (inner 3072 vs 100)');
  });

  it('refuses operands of other ranks, backends or dtypes', () => {
    const v = Tensor.zeros([3], { backend: 'js' });
    const m = Tensor.zeros([3, 3], { backend: 'js' });
    expect(() => matmul(v, m)).toThrow('matmul: expects 2-D tensors, got shapes [3] and [3,3]');
    expect(() => matmul(m, Tensor.zeros([3, 3], { backend: 'native' }))).toThrow(/different backends \(js and native\)/);
    expect(() => matmul(m, Tensor.zeros([3, 3], { backend: 'js', dtype: 'float64' }))).toThrow(DTypeError);
  });
});

describe('backend selection', () => {
  it('names the choices for an unknown backend', () => {
    expect(() => getBackend('cuda-ish')).toThrow(ArgumentError);
    expect(() => getBackend('cuda-ish')).toThrow("unknown backend 'cuda-ish': expected one of auto, cuda, native, wasm, js");
  });

  it('each backend describes itself; threads are bounded by the pool', () => {
    const native = getBackend('native');
    expect(native.describe()).toMatch(/^native \(Rust, .+, \d+ threads?\)$/);
    expect(() => native.setThreads(0)).toThrow(ArgumentError);
    expect(() => getBackend('wasm').setThreads(2)).toThrow(/1 thread/);
    expect(getBackend('js').describe()).toMatch(/^js /);
  });

  it('BackendUnavailableError is a typed DlpError', () => {
    expect(new BackendUnavailableError('x')).toBeInstanceOf(Error);
  });
});
