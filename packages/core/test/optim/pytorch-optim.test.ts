/**
 * SGD (plain, momentum, dampening, nesterov, weight decay) and Adam (defaults; betas, eps and
 * weight decay) against torch.optim over three steps with given gradients
 * (fixtures/optim.json, made by make_optim_fixtures.py), on every backend.
 */

import { describe, expect, it } from 'vitest';
import { ArgumentError, getBackend, optim, Tensor } from '../../src/index.js';
import { PARITY_TARGETS, readFixture, scaledError } from '../support/fixtures.js';

interface OptimCase {
  name: string;
  optimizer: 'SGD' | 'Adam';
  options: { lr: number; momentum?: number; dampening?: number; nesterov?: boolean; weightDecay: number; betas?: [number, number]; eps?: number };
  params: number[][];
  state: { momentum_buffer?: number[]; exp_avg?: number[]; exp_avg_sq?: number[]; step?: number };
}

const fx = readFixture<{ p0: number[]; grads: number[][]; cases: OptimCase[] }>('optim.json');

describe.each(PARITY_TARGETS)('optimisers on %s (%s) match torch.optim', (backendName, dtype, tolerance) => {
  const on = { backend: getBackend(backendName), dtype };

  for (const c of fx.cases) {
    it(`${c.name}: three steps and the final state`, () => {
      const p = Tensor.from(fx.p0, [fx.p0.length], { ...on, requiresGrad: true });
      const { lr, weightDecay } = c.options;
      const opt =
        c.optimizer === 'SGD'
          ? new optim.SGD([p], { lr, weightDecay, momentum: c.options.momentum ?? 0, dampening: c.options.dampening ?? 0, nesterov: c.options.nesterov ?? false })
          : new optim.Adam([p], { lr, weightDecay, betas: c.options.betas!, eps: c.options.eps! });
      fx.grads.forEach((g, step) => {
        p.grad = Tensor.from(g, [g.length], on);
        opt.step();
        expect(scaledError(p.toArray(), c.params[step]!), `step ${step + 1}`).toBeLessThan(tolerance * 10);
      });
      if (opt instanceof optim.SGD && c.state.momentum_buffer) {
        expect(scaledError(opt.momentumBuffer(p)!.toArray(), c.state.momentum_buffer)).toBeLessThan(tolerance * 10);
      }
      if (opt instanceof optim.Adam) {
        const state = opt.state(p)!;
        expect(state.step).toBe(c.state.step);
        expect(scaledError(state.expAvg.toArray(), c.state.exp_avg!)).toBeLessThan(tolerance * 10);
        expect(scaledError(state.expAvgSq.toArray(), c.state.exp_avg_sq!)).toBeLessThan(tolerance * 10);
      }
    });
  }
});

describe('optimiser arguments', () => {
  const p = () => Tensor.from([1, 2], [2], { backend: 'js', requiresGrad: true });
  it('refuses bad hyperparameters with a clear message', () => {
    expect(() => new optim.SGD([p()], { lr: -1 })).toThrow('SGD: lr must be a positive number, got -1');
    expect(() => new optim.SGD([p()], { lr: 0.1, nesterov: true })).toThrow(/nesterov momentum requires a momentum/);
    expect(() => new optim.Adam([p()], { betas: [0.9, 1] })).toThrow('Adam: betas[1] must be in [0, 1), got 1');
    expect(() => new optim.Adam([])).toThrow(ArgumentError);
    expect(() => new optim.Adam([Tensor.zeros([2], { backend: 'js' })])).toThrow('Adam: parameter 0 does not require grad');
  });
  it('skips parameters without a gradient and zeroGrad clears them', () => {
    const [a, b] = [p(), p()];
    const opt = new optim.SGD([a, b], { lr: 0.5 });
    a.grad = Tensor.from([1, 1], [2], { backend: 'js' });
    opt.step();
    expect(Array.from(a.toArray())).toEqual([0.5, 1.5]);
    expect(Array.from(b.toArray())).toEqual([1, 2]);
    opt.zeroGrad();
    expect(a.grad).toBeNull();
  });
});
