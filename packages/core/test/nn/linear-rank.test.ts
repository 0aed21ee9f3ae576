/**
 * nn.Linear / ops.linear on inputs of rank other than 2 ([*, in], as PyTorch's F.linear): applied
 * over the last dimension, forward and backward, against PyTorch's float64 values
 * (linear_rank3.json, make_linear_rank3_fixture.py) on every backend, with a float64 gradcheck.
 */

import { describe, expect, it } from 'vitest';
import { autograd, nn, ops, ShapeError, Tensor } from '../../src/index.js';
import { PARITY_TARGETS, readFixture, scaledError, toTensor, type FixtureTensor } from '../support/fixtures.js';

interface LinearFixture {
  inputs: { x: FixtureTensor; weight: FixtureTensor; bias: FixtureTensor };
  R: FixtureTensor;
  output: FixtureTensor;
  grads: { x: FixtureTensor; weight: FixtureTensor; bias: FixtureTensor };
}

const fixture = readFixture<LinearFixture>('linear_rank3.json');

describe('linear over the last dimension of a rank-3 input, as PyTorch', () => {
  it.each(PARITY_TARGETS)('%s %s: output and gradients match F.linear', (backend, dtype, tolerance) => {
    const on = { backend, dtype };
    const x = toTensor(fixture.inputs.x, on, true);
    const weight = toTensor(fixture.inputs.weight, on, true);
    const bias = toTensor(fixture.inputs.bias, on, true);
    const out = ops.linear(x, weight, bias);
    expect(out.shape).toEqual(fixture.output.shape);
    expect(scaledError(out.toArray(), fixture.output.data)).toBeLessThan(tolerance);
    out.mul(toTensor(fixture.R, on)).sum().backward();
    expect(x.grad!.shape).toEqual([2, 3, 4]);
    expect(scaledError(x.grad!.toArray(), fixture.grads.x.data)).toBeLessThan(tolerance);
    expect(scaledError(weight.grad!.toArray(), fixture.grads.weight.data)).toBeLessThan(tolerance);
    expect(scaledError(bias.grad!.toArray(), fixture.grads.bias.data)).toBeLessThan(tolerance);
  });

  it('nn.Linear takes [2, 3, 4] and [4] inputs: [2, 3, 5] and [5], each row as the rank-2 result', () => {
    const layer = new nn.Linear(4, 5, { backend: 'js', dtype: 'float64' });
    const x = toTensor(fixture.inputs.x, { backend: 'js', dtype: 'float64' });
    const flat = layer.forward(x.reshape([6, 4])).toArray();
    const out = layer.forward(x);
    expect(out.shape).toEqual([2, 3, 5]);
    expect(Array.from(out.toArray())).toEqual(Array.from(flat));
    const row = layer.forward(Tensor.from(x.toArray().slice(0, 4), [4], { backend: 'js', dtype: 'float64' }));
    expect(row.shape).toEqual([5]);
    expect(Array.from(row.toArray())).toEqual(Array.from(flat.slice(0, 5)));
  });

  it('gradcheck (float64, js) through x, weight and bias of a rank-3 and a rank-4 input', () => {
    const on = { backend: 'js' as const, dtype: 'float64' as const, requiresGrad: true };
    const weight = Tensor.from([0.3, -0.2, 0.5, 0.1, 0.7, -0.4], [2, 3], on);
    const bias = Tensor.from([0.05, -0.1], [2], on);
    for (const shape of [[2, 2, 3], [1, 2, 2, 3]]) {
      const size = shape.reduce((a, b) => a * b, 1);
      const x = Tensor.from(Array.from({ length: size }, (_, i) => Math.sin(i + 1)), shape, on);
      expect(autograd.gradcheck((a, w, b) => ops.linear(a, w, b).tanh(), [x, weight, bias])).toBe(true);
    }
  });

  it('still refuses an input whose last dimension is not in_features, naming the shapes', () => {
    const layer = new nn.Linear(4, 5, { backend: 'js' });
    expect(() => layer.forward(Tensor.zeros([2, 4, 3], { backend: 'js' }))).toThrow(ShapeError);
    expect(() => layer.forward(Tensor.zeros([2, 4, 3], { backend: 'js' }))).toThrow('linear: input of shape [2,4,3] does not fit weight [5,4]');
    expect(() => layer.forward(Tensor.zeros([], { backend: 'js' }))).toThrow(ShapeError);
  });
});
