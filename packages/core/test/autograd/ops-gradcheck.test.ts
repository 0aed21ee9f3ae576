/**
 * Every differentiable op against finite differences (float64, js backend): elementwise with
 * broadcasting, reductions, views, matmul/linear, losses and normalisation. (ops with a test
 * file of their own, such as test/ops/elu.test.ts, are checked there.)
 */

import { describe, expect, it } from 'vitest';
import { autograd, getBackend, ops, Rng, Tensor } from '../../src/index.js';

const js = getBackend('js');
const rng = new Rng(7);

/** A float64 js tensor of normal values (shifted/scaled), requiring grad. */
function randn(shape: number[], { scale = 1, shift = 0 } = {}): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = Float64Array.from({ length: n }, () => rng.normal() * scale + shift);
  return Tensor.from(values, shape, { backend: js, dtype: 'float64', requiresGrad: true });
}

const check = (fn: (...t: Tensor[]) => Tensor, inputs: Tensor[]) => expect(autograd.gradcheck(fn, inputs)).toBe(true);

describe('gradcheck of elementwise ops', () => {
  for (const op of ['add', 'sub', 'mul', 'div'] as const) {
    it(`${op} with same shapes, row and column broadcasting, scalars`, () => {
      const positive = op === 'div' ? { shift: 3 } : {};
      check((a, b) => ops[op](a!, b!), [randn([3, 4]), randn([3, 4], positive)]);
      check((a, b) => ops[op](a!, b!), [randn([3, 4]), randn([4], positive)]);
      check((a, b) => ops[op](a!, b!), [randn([3, 1]), randn([2, 3, 4], positive)]);
      check((a) => ops[op](a!, 2.5), [randn([2, 3])]);
      check((a) => ops[op](1.5, a!), [randn([2, 3], positive)]);
    });
  }
  it('x·x accumulates both uses into one gradient', () => check((a) => ops.mul(a!, a!), [randn([5])]));
  for (const op of ['neg', 'exp', 'tanh', 'sigmoid', 'relu'] as const) {
    it(op, () => check((a) => ops[op](a!), [randn([4, 5])]));
  }
  it('log and sqrt on positive inputs', () => {
    check((a) => ops.log(a!), [randn([4, 5], { scale: 0.5, shift: 3 })]);
    check((a) => ops.sqrt(a!), [randn([4, 5], { scale: 0.5, shift: 3 })]);
  });
});

describe('gradcheck of reductions', () => {
  it('sum over all, one axis, several axes, keepdim', () => {
    check((a) => ops.sum(a!), [randn([3, 4])]);
    check((a) => ops.sum(a!, 0), [randn([3, 4])]);
    check((a) => ops.sum(a!, [0, 2], { keepdim: true }), [randn([2, 3, 4])]);
    check((a) => ops.sum(a!, -1), [randn([2, 3, 4])]);
  });
  it('mean', () => {
    check((a) => ops.mean(a!), [randn([3, 4])]);
    check((a) => ops.mean(a!, 1, { keepdim: true }), [randn([3, 4])]);
  });
  it('variance, unbiased and biased', () => {
    check((a) => ops.variance(a!, 1), [randn([3, 5])]);
    check((a) => ops.variance(a!, 0, { unbiased: false, keepdim: true }), [randn([4, 3])]);
  });
  it('max along each axis', () => {
    check((a) => ops.max(a!, 1).values, [randn([3, 5])]);
    check((a) => ops.max(a!, 0, { keepdim: true }).values, [randn([4, 3, 2])]);
  });
});

describe('gradcheck of views and products', () => {
  it('transpose, reshape, flatten, contiguous copy', () => {
    const weights = randnFixed([4, 3]);
    check((a) => a!.t().mul(weights), [randn([3, 4])]);
    check((a) => a!.reshape([6, 2]).sum(0), [randn([3, 4])]);
    check((a) => a!.transpose(0, 2).flatten(1).contiguous(), [randn([2, 3, 2])]);
  });
  it('matmul, plain and with transposed operands', () => {
    check((a, b) => ops.matmul(a!, b!), [randn([3, 5]), randn([5, 2])]);
    check((a, b) => ops.matmul(a!.t(), b!.t()), [randn([5, 3]), randn([2, 5])]);
  });
  it('linear with and without bias', () => {
    check((x, w, b) => ops.linear(x!, w!, b!), [randn([4, 5]), randn([3, 5]), randn([3])]);
    check((x, w) => ops.linear(x!, w!), [randn([4, 5]), randn([3, 5])]);
  });
});

describe('gradcheck of losses and normalisation', () => {
  const labels = [2, 0, 6, 6, 1];
  it('crossEntropy, logSoftmax, nllLoss', () => {
    check((x) => ops.crossEntropy(x!, labels), [randn([5, 7])]);
    check((x) => ops.logSoftmax(x!), [randn([5, 7])]);
    check((x) => ops.nllLoss(x!, labels), [randn([5, 7])]);
    check((x) => ops.nllLoss(ops.logSoftmax(x!), labels).mul(3), [randn([5, 7])]);
  });
  it('batchNorm in training ([N, C] and [N, C, L]) and in eval', () => {
    const stats = () => ({
      runningMean: Tensor.from([0.1, -0.2, 0.3], [3], { backend: js, dtype: 'float64' }),
      runningVar: Tensor.from([0.5, 2, 1], [3], { backend: js, dtype: 'float64' }),
    });
    check((x, w, b) => ops.batchNorm(x!, { weight: w!, bias: b!, training: true, ...stats() }), [randn([6, 3], { scale: 2, shift: 1 }), randn([3]), randn([3])]);
    check((x, w, b) => ops.batchNorm(x!, { weight: w!, bias: b!, training: true }), [randn([4, 3, 5]), randn([3]), randn([3])]);
    check((x) => ops.batchNorm(x!, { training: true }), [randn([5, 3])]);
    check((x, w, b) => ops.batchNorm(x!, { weight: w!, bias: b!, training: false, ...stats() }), [randn([4, 3]), randn([3]), randn([3])]);
  });
  it('layerNorm with and without affine parameters', () => {
    check((x, w, b) => ops.layerNorm(x!, 6, { weight: w!, bias: b! }), [randn([4, 6], { scale: 2, shift: 10 }), randn([6]), randn([6])]);
    check((x) => ops.layerNorm(x!, 5), [randn([2, 3, 5])]);
  });
});

/** A float64 tensor that does not require grad (a constant of the checked function). */
function randnFixed(shape: number[]): Tensor {
  return randn(shape).requiresGrad_(false);
}

describe('gradcheck of convolution and pooling', () => {
  it('conv2d with stride and padding combinations, with and without bias', () => {
    for (const [stride, padding] of [[1, 0], [1, 1], [2, 1], [2, 0]] as const) {
      check((x, w, b) => ops.conv2d(x!, w!, b!, { stride, padding }), [randn([2, 3, 5, 6]), randn([4, 3, 3, 3]), randn([4])]);
    }
    check((x, w) => ops.conv2d(x!, w!), [randn([1, 4, 3, 3]), randn([2, 4, 1, 1])]);
    check((x, w) => ops.conv2d(x!, w!, undefined, { stride: [1, 2], padding: [0, 1] }), [randn([1, 2, 4, 5]), randn([3, 2, 2, 3])]);
  });
  it('maxPool2d 3×3 stride 2 pad 1 (the ConvNet\'s) and 2×2', () => {
    check((x) => ops.maxPool2d(x!, 3, { stride: 2, padding: 1 }), [randn([2, 3, 6, 7])]);
    check((x) => ops.maxPool2d(x!, 2), [randn([1, 2, 4, 4])]);
  });
});
