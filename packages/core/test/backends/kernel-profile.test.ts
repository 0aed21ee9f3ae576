/**
 * KernelProfile: kernels handed out while it records are timed per kernel and shape (a linear
 * layer's forward and backward: three GEMMs of known shapes and flops), nothing is recorded
 * before start or after stop, and a kernel that throws is still counted.
 */

import { afterEach, describe, expect, it } from 'vitest';
import { getBackend, getKernel, KernelProfile, ops, Tensor } from '../../src/index.js';

const js = getBackend('js');

/** A clock that advances 1 ms per reading: each call lasts exactly 1 ms. */
function tickingClock(): () => number {
  let now = 0;
  return () => (now += 1);
}

let profile: KernelProfile | undefined;
afterEach(() => profile?.stop());

describe('KernelProfile', () => {
  it("times a linear layer's GEMMs by shape, with their flops", () => {
    profile = new KernelProfile(tickingClock()).start();
    const x = Tensor.from(Array.from({ length: 8 * 6 }, (_, i) => i / 10), [8, 6], { backend: js, requiresGrad: true });
    const w = Tensor.from(Array.from({ length: 4 * 6 }, (_, i) => i / 7), [4, 6], { backend: js, requiresGrad: true });
    ops.linear(x, w).sum().backward();
    profile.stop();

    const gemms = profile.entries().filter((e) => e.kernel === 'gemm');
    expect(gemms.map((e) => e.shape).sort()).toEqual(['transA m=4 n=6 k=8 alpha=1 beta=0', 'transB m=8 n=4 k=6 alpha=1 beta=0', 'm=8 n=6 k=4 alpha=1 beta=0'].sort());
    for (const e of gemms) {
      expect(e.calls).toBe(1);
      expect(e.seconds).toBeCloseTo(0.001, 12);
      expect(e.backend).toBe('js');
    }
    expect(gemms.map((e) => e.flops).sort()).toEqual([2 * 4 * 6 * 8, 2 * 8 * 4 * 6, 2 * 8 * 6 * 4].sort());
    const calls = profile.entries().reduce((n, e) => n + e.calls, 0);
    expect(profile.totalSeconds()).toBeCloseTo(calls * 0.001, 12);
  });

  it('records nothing before start and after stop, and repeats add up', () => {
    profile = new KernelProfile(tickingClock());
    const early = getKernel('elu', 'js');
    const x = Tensor.from([1, -1, 2, -2], [4], { backend: js });
    const out = Tensor.zeros([4], { backend: js });
    profile.start();
    early(js, { x: x.storage, out: out.storage, alpha: 1 });
    expect(profile.entries()).toEqual([]);
    const elu = getKernel('elu', 'js');
    elu(js, { x: x.storage, out: out.storage, alpha: 1 });
    elu(js, { x: x.storage, out: out.storage, alpha: 1 });
    profile.stop();
    elu(js, { x: x.storage, out: out.storage, alpha: 1 });
    expect(profile.entries()).toEqual([{ kernel: 'elu', backend: 'js', shape: 'x[4] alpha=1', calls: 2, seconds: 0.002 }]);
    expect(Array.from(out.toArray())[0]).toBe(1);
  });

  it('counts a kernel that throws, and starting one profile stops another', () => {
    const first = new KernelProfile(tickingClock()).start();
    profile = new KernelProfile(tickingClock()).start();
    expect(first.recording).toBe(false);
    const gemm = getKernel('gemm', 'js');
    const a = Tensor.zeros([2, 3], { backend: js });
    expect(() => gemm(js, { transA: false, transB: false, m: 2, n: 2, k: 2, alpha: 1, beta: 0, a: a.storage, b: a.storage, c: a.storage })).toThrow();
    expect(profile.entries().map((e) => [e.kernel, e.calls])).toEqual([['gemm', 1]]);
    expect(first.entries()).toEqual([]);
  });
});
