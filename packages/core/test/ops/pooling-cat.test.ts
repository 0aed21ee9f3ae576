/**
 * ops.avgPool2d, ops.adaptiveAvgPool2d and ops.cat: the js kernels at values worked out by hand,
 * every op against finite differences in float64 (autograd.gradcheck), cat's gradient skipping
 * inputs that need none, and the ops' argument errors. (Fast backends against js:
 * backends/pool-slice-kernels-parity-*.test.ts; against PyTorch: nn/pytorch-pool-cat.test.ts.)
 */

import { describe, expect, it } from 'vitest';
import { ArgumentError, autograd, getBackend, getKernel, ops, Rng, ShapeError, Tensor } from '../../src/index.js';

const js = getBackend('js');

describe('average pooling and slices on js: known values', () => {
  it('a padded 3×3 window over 1..9, with and without the padding counted', () => {
    const x = js.upload(Float64Array.from({ length: 9 }, (_, i) => i + 1));
    const out = js.upload(new Float64Array(4));
    const g = { batch: 1, channels: 1, height: 3, width: 3, kernelH: 3, kernelW: 3, strideH: 2, strideW: 2, padH: 1, padW: 1 };
    getKernel('avgPool2d', 'js')(js, { ...g, countIncludePad: true, x, out });
    expect(Array.from(js.view(out))).toEqual([12 / 9, 16 / 9, 24 / 9, 28 / 9]);
    getKernel('avgPool2d', 'js')(js, { ...g, countIncludePad: false, x, out });
    expect(Array.from(js.view(out))).toEqual([3, 4, 6, 7]);
  });

  it("PyTorch's adaptive bins: 7 into 3 (0..3, 2..5, 4..7), 2 into 4 (rows repeated)", () => {
    const out = js.upload(new Float64Array(3));
    const x = js.upload(Float64Array.from([1, 2, 3, 4, 5, 6, 7]));
    getKernel('adaptiveAvgPool2d', 'js')(js, { batch: 1, channels: 1, height: 1, width: 7, outH: 1, outW: 3, x, out });
    expect(Array.from(js.view(out))).toEqual([2, 4, 6]);
    const up = js.upload(new Float64Array(4));
    getKernel('adaptiveAvgPool2d', 'js')(js, { batch: 1, channels: 1, height: 2, width: 1, outH: 4, outW: 1, x: js.upload(Float64Array.from([1, 3])), out: up });
    expect(Array.from(js.view(up))).toEqual([1, 1, 3, 3]);
  });

  it('copyIntoSlice writes only its slice; copySlice reads one back', () => {
    const out = js.upload(new Float64Array(6));
    getKernel('copyIntoSlice', 'js')(js, { outer: 2, total: 3, inner: 1, offset: 1, size: 2, x: js.upload(Float64Array.from([1, 2, 3, 4])), out });
    expect(Array.from(js.view(out))).toEqual([0, 1, 2, 0, 3, 4]);
    const back = js.upload(new Float64Array(2));
    getKernel('copySlice', 'js')(js, { outer: 2, total: 3, inner: 1, offset: 2, size: 1, x: out, out: back });
    expect(Array.from(js.view(back))).toEqual([2, 4]);
  });
});

describe('the ops against finite differences (float64, js)', () => {
  const rng = new Rng(11);
  const randn = (shape: number[], requiresGrad = true) =>
    Tensor.from(Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape, {
      backend: js,
      dtype: 'float64',
      requiresGrad,
    });

  it.each([
    ['2×2, stride 2', 2, {}],
    ['3×3, stride 2, padding 1, padding counted', 3, { stride: 2, padding: 1 }],
    ['3×3, stride 2, padding 1, padding not counted', 3, { stride: 2, padding: 1, countIncludePad: false }],
    ['3×2, stride (1, 2), padding (1, 1), not counted', [3, 2] as const, { stride: [1, 2] as const, padding: [1, 1] as const, countIncludePad: false }],
  ])('avgPool2d %s', (_name, kernel, options) => {
    expect(autograd.gradcheck((x) => ops.avgPool2d(x!, kernel, options), [randn([2, 2, 5, 6])])).toBe(true);
  });

  it.each([
    [[1, 1], [2, 3, 4, 4]],
    [[3, 2], [1, 2, 7, 5]],
    [[4, 5], [1, 2, 3, 3]],
    [[null, 2], [1, 1, 3, 5]],
  ] as const)('adaptiveAvgPool2d to %j from %j', (size, shape) => {
    expect(autograd.gradcheck((x) => ops.adaptiveAvgPool2d(x!, size), [randn([...shape])])).toBe(true);
  });

  it.each([
    [1, [[2, 3, 2, 2], [2, 1, 2, 2], [2, 2, 2, 2]]],
    [0, [[1, 3], [2, 3]]],
    [-1, [[2, 3, 2], [2, 3, 1], [2, 3, 3]]],
  ] as const)('cat along dim %d', (dim, shapes) => {
    const inputs = shapes.map((s) => randn([...s]));
    expect(autograd.gradcheck((...xs) => ops.cat(xs, dim), inputs)).toBe(true);
  });

  it('cat computes no gradient for an input that needs none, and routes the others', () => {
    const [a, b] = [randn([2, 2], false), randn([2, 3])];
    const out = ops.cat([a, b], 1);
    const weights = Tensor.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [2, 5], { backend: js, dtype: 'float64' });
    out.mul(weights).sum().backward();
    expect(a.grad).toBeNull();
    expect(Array.from(b.grad!.toArray())).toEqual([3, 4, 5, 8, 9, 10]);
  });

  it("cat's backward keeps the inputs it was given when the caller's array grows afterwards", () => {
    // DenseNet's blocks push each layer's output, computed from the concatenation, onto the array
    // they concatenated: [x] → [x, 2x] → [x, 2x, 3x, 6x] along dim 1, so d sum(out) / dx = 12.
    const x = randn([1, 1, 2]);
    const features = [x];
    features.push(ops.cat(features, 1).mul(2));
    features.push(ops.cat(features, 1).mul(3));
    ops.cat(features, 1).sum().backward();
    expect(Array.from(x.grad!.toArray())).toEqual([12, 12]);
  });

  it('cat reads transposed views through their strides', () => {
    const a = Tensor.from([1, 2, 3, 4, 5, 6], [2, 3], { backend: js }).t(); // [3, 2]: rows [1, 4], [2, 5], [3, 6]
    const b = Tensor.from([7, 8, 9], [3, 1], { backend: js });
    expect(Array.from(ops.cat([a, b], 1).toArray())).toEqual([1, 4, 7, 2, 5, 8, 3, 6, 9]);
  });
});

describe('the ops refuse bad arguments', () => {
  const t = (shape: number[]) => Tensor.zeros(shape, { backend: js });

  it('cat', () => {
    expect(() => ops.cat([], 0)).toThrow(ArgumentError);
    expect(() => ops.cat([t([2, 3]), t([2, 4])], 0)).toThrow(new ShapeError('cat: tensor 1 has shape [2,4], which does not fit [2,3] outside dimension 0'));
    expect(() => ops.cat([t([2, 3]), t([2, 3, 1])], 0)).toThrow(ShapeError);
    expect(() => ops.cat([t([2, 3])], 2)).toThrow(new ArgumentError('cat: dimension 2 is out of range for tensors of rank 2'));
    expect(() => ops.cat([t([2, 3]), Tensor.zeros([2, 3], { backend: js, dtype: 'float64' })], 0)).toThrow(/different dtypes/);
  });

  it('avgPool2d and adaptiveAvgPool2d', () => {
    expect(() => ops.avgPool2d(t([2, 3, 4]), 2)).toThrow(ShapeError);
    expect(() => ops.avgPool2d(t([1, 1, 4, 4]), 0)).toThrow(ArgumentError);
    expect(() => ops.avgPool2d(t([1, 1, 4, 4]), 2, { padding: 2 })).toThrow('avgPool2d: padH 2 should be at most half of kernelH 2, as in PyTorch');
    expect(() => ops.adaptiveAvgPool2d(t([1, 1, 4, 4]), 0)).toThrow(ArgumentError);
    expect(() => ops.adaptiveAvgPool2d(t([4, 4]), 1)).toThrow(ShapeError);
  });
});
