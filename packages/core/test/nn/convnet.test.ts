/** Conv2d / MaxPool2d / BatchNorm2d layers and the practical's ConvNet: shapes, init, names, gradients. */

import { describe, expect, it } from 'vitest';
import { autograd, models, nn, Rng, Tensor } from '../../src/index.js';

const js = { backend: 'js' as const, dtype: 'float64' as const };
const rng = new Rng(11);
const randn = (shape: number[], on: { backend: 'js' | 'native' | 'wasm'; dtype?: 'float32' | 'float64' } = js) =>
  Tensor.from(Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape, { ...on, requiresGrad: true });

describe('convolution layers', () => {
  it('Conv2d draws weight and bias in ±1/√fan_in and computes PyTorch output sizes', () => {
    const conv = new nn.Conv2d(3, 8, 3, { ...js, stride: 2, padding: 1, rng: new Rng(1) });
    const bound = 1 / Math.sqrt(3 * 9);
    for (const p of conv.parameters()) expect(p.toArray().every((v) => Math.abs(v) <= bound)).toBe(true);
    expect(conv.forward(randn([2, 3, 7, 8])).shape).toEqual([2, 8, 4, 4]);
    expect(new nn.MaxPool2d(3, { stride: 2, padding: 1 }).forward(randn([1, 2, 32, 32])).shape).toEqual([1, 2, 16, 16]);
    expect(() => conv.forward(randn([2, 4, 7, 8]))).toThrow('conv2d: weight of shape [8,3,3,3] does not fit an input with 4 channels (expected [out, 4, kH, kW])');
  });

  it('BatchNorm2d passes gradcheck in training and refuses non-image input', () => {
    const bn = new nn.BatchNorm2d(3, js);
    const [w, b] = bn.parameters() as [Tensor, Tensor];
    w.backend.view(w.storage).set([0.5, 1.5, -1]);
    b.backend.view(b.storage).set([0.1, 0, 2]);
    expect(autograd.gradcheck((x) => bn.forward(x!), [randn([2, 3, 2, 3])])).toBe(true);
    expect(() => bn.forward(randn([2, 3]))).toThrow('BatchNorm2d: input of shape [2,3] should be [batch, 3, height, width]');
  });

  it('PreActBlock passes gradcheck (residual sum, BatchNorm, ReLU, 3×3 conv)', () => {
    const block = new models.PreActBlock(2, { ...js, rng: new Rng(3) });
    expect(autograd.gradcheck((x) => block.forward(x!), [randn([2, 2, 3, 3])])).toBe(true);
  });
});

describe('ConvNet', () => {
  it('maps [N, 3, 32, 32] to 10 logits and fills every parameter gradient (native)', () => {
    const net = new models.ConvNet({ backend: 'native', rng: new Rng(42) });
    const names = net.namedParameters().map(([n]) => n);
    expect(names.slice(0, 6)).toEqual(['conv0.weight', 'conv0.bias', 'preact1.bn.weight', 'preact1.bn.bias', 'preact1.conv.weight', 'preact1.conv.bias']);
    expect(names.slice(-2)).toEqual(['linear.weight', 'linear.bias']);
    const count = net.parameters().reduce((n, p) => n + p.size, 0);
    // conv0 1792, PreAct(C) = 2C + 9C² + C, 1×1 convs, final BN 1024, linear 5130.
    const preact = (c: number) => 2 * c + 9 * c * c + c;
    expect(count).toBe(1792 + preact(64) + (64 * 128 + 128) + 2 * preact(128) + (128 * 256 + 256) + 2 * preact(256) + (256 * 512 + 512) + 4 * preact(512) + 1024 + 5130);
    const x = randn([2, 3, 32, 32], { backend: 'native', dtype: 'float32' }).requiresGrad_(false);
    const logits = net.forward(x);
    expect(logits.shape).toEqual([2, 10]);
    nn.functional.crossEntropy(logits, [3, 7]).backward();
    for (const [name, p] of net.namedParameters()) expect(p.grad, name).not.toBeNull();
  });
});
