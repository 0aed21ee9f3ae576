/** Module bookkeeping (names, modes, state dicts), the small layers, Dropout, and custom functions. */

import { describe, expect, it } from 'vitest';
import { autograd, ArgumentError, nn, ops, Rng, Tensor } from '../../src/index.js';

const js = { backend: 'js' as const, dtype: 'float64' as const };

describe('Module', () => {
  const model = () => new nn.Sequential(new nn.BatchNorm1d(3, js), new nn.Linear(3, 2, js), new nn.Tanh(), new nn.Dropout(0.5));

  it('names parameters and buffers by path, in PyTorch order', () => {
    const m = model();
    expect(m.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias', '1.weight', '1.bias']);
    expect(Object.keys(m.stateDict())).toEqual(['0.weight', '0.bias', '0.running_mean', '0.running_var', '0.num_batches_tracked', '1.weight', '1.bias']);
    expect(m.parameters().every((p) => p.requiresGrad)).toBe(true);
  });

  it('train() and eval() reach every descendant', () => {
    const m = model().eval();
    expect(m.namedModules().every(([, child]) => !child.training)).toBe(true);
    m.train();
    expect(m.namedModules().every(([, child]) => child.training)).toBe(true);
  });

  it('a state dict loads into a fresh model and reproduces its outputs', () => {
    const [a, b] = [model().eval(), model().eval()];
    b.loadStateDict(Object.fromEntries(Object.entries(a.stateDict()).map(([k, t]) => [k, { shape: t.shape, data: t.toArray() }])));
    const x = Tensor.from([0.1, -2, 3, 4, 0.5, -6], [2, 3], js);
    expect(Array.from(b.forward(x).toArray())).toEqual(Array.from(a.forward(x).toArray()));
  });

  it('refuses names that would break dotted paths', () => {
    class Bad extends nn.Module {
      constructor() {
        super();
        this.registerParameter('a.b', Tensor.zeros([1], js));
      }
      forward(x: Tensor) {
        return x;
      }
    }
    expect(() => new Bad()).toThrow("module: 'a.b' is not a valid name (non-empty, no dots)");
  });
});

describe('layers', () => {
  it('Linear refuses inputs that do not fit, naming the shapes', () => {
    expect(() => new nn.Linear(4, 2, js).forward(Tensor.zeros([3, 5], js))).toThrow('linear: input of shape [3,5] does not fit weight [2,4] (expected [..., 4]: 4 features last)');
    expect(() => new nn.Linear(0, 2, js)).toThrow('Linear: inFeatures must be a positive integer, got 0');
  });

  it('Linear without bias, Flatten, Sigmoid and ReLU', () => {
    const layer = new nn.Linear(6, 2, { ...js, bias: false });
    expect(layer.parameters()).toHaveLength(1);
    const x = Tensor.from([1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -12], [2, 3, 2], js);
    const flat = new nn.Flatten().forward(x);
    expect(flat.shape).toEqual([2, 6]);
    expect(layer.forward(flat).shape).toEqual([2, 2]);
    expect(Array.from(new nn.ReLU().forward(Tensor.from([-1, 2], [2], js)).toArray())).toEqual([0, 2]);
    expect(new nn.Sigmoid().forward(Tensor.from([0], [1], js)).item()).toBe(0.5);
  });

  it('BatchNorm1d takes [N, C, L] too and refuses a channel misfit', () => {
    const bn = new nn.BatchNorm1d(2, js);
    expect(bn.forward(Tensor.from(Float64Array.from({ length: 12 }, (_, i) => i), [3, 2, 2], js)).shape).toEqual([3, 2, 2]);
    expect(() => bn.forward(Tensor.zeros([4, 3], js))).toThrow('BatchNorm1d: input of shape [4,3] should be [batch, 2] or [batch, 2, length]');
  });
});

describe('Dropout', () => {
  const x = () => Tensor.from(new Float64Array(20_000).fill(1), [200, 100], { ...js, requiresGrad: true });

  it('zeroes about p of the elements in training and scales the rest by 1/(1 − p)', () => {
    const out = new nn.Dropout(0.3, { rng: new Rng(5) }).forward(x()).toArray();
    const zeros = out.filter((v) => v === 0).length / out.length;
    expect(Math.abs(zeros - 0.3)).toBeLessThan(0.02);
    expect(out.every((v) => v === 0 || Math.abs(v - 1 / 0.7) < 1e-12)).toBe(true);
  });

  it('passes the gradient through the same mask, and is the identity in eval', () => {
    const input = x();
    const layer = new nn.Dropout(0.5, { rng: new Rng(6) });
    const out = layer.forward(input);
    out.sum().backward();
    expect(Array.from(input.grad!.toArray())).toEqual(Array.from(out.toArray()));
    layer.eval();
    const same = x();
    expect(layer.forward(same)).toBe(same);
    expect(() => new nn.Dropout(1)).toThrow('Dropout: p must be in [0, 1), got 1');
  });
});

describe('custom autograd functions', () => {
  const Cube = autograd.defineFunction({
    name: 'Cube',
    forward(ctx, x: Tensor) {
      ctx.saveForBackward(x);
      return ops.mul(ops.mul(x, x), x);
    },
    backward(ctx, g) {
      const [x] = ctx.savedTensors as [Tensor];
      return [ops.mul(g, ops.mul(ops.mul(x, x), 3))];
    },
  });
  const WrongCube = autograd.defineFunction({
    name: 'WrongCube',
    forward: (_ctx, x: Tensor) => ops.mul(ops.mul(x, x), x),
    backward: (_ctx, g) => [ops.mul(g, 3)],
  });

  it('a correct hand-written backward passes gradcheck, a wrong one is caught', () => {
    const x = Tensor.from([0.5, -1.5, 2], [3], { ...js, requiresGrad: true });
    expect(autograd.gradcheck((t) => Cube.apply(t!), [x])).toBe(true);
    expect(() => autograd.gradcheck((t) => WrongCube.apply(t!), [x])).toThrow(autograd.GradcheckError);
    expect(autograd.gradcheck((t) => WrongCube.apply(t!), [x], { raiseException: false })).toBe(false);
  });

  it('saved tensors are freed after backward, and a forward that returns no tensor is refused', () => {
    const x = Tensor.from([2], [1], { ...js, requiresGrad: true });
    const y = Cube.apply(x);
    y.backward(undefined, { retainGraph: true });
    y.backward();
    expect(x.grad!.item()).toBe(24);
    const Bad = autograd.defineFunction({ name: 'Bad', forward: (_ctx, _x: Tensor) => 3 as unknown as Tensor, backward: () => [] });
    expect(() => Bad.apply(x)).toThrow(ArgumentError);
  });

  it('gradcheck refuses float32 inputs', () => {
    const x = Tensor.from([1], [1], { backend: 'js', requiresGrad: true });
    expect(() => autograd.gradcheck((t) => t!.exp(), [x])).toThrow(/needs float64 inputs/);
  });
});
