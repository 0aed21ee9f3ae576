/**
 * The manual MLP against PyTorch autograd (fixtures/manual_mlp.json, made by
 * make_manual_mlp_fixture.py): probabilities, loss, every parameter's gradient, the input
 * gradient, and one SGD step — in float64 on js, and in float32 on native and wasm.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { getBackend, manual, Tensor, type BackendName } from '../../src/index.js';

interface LayerFixture {
  in: number;
  out: number;
  weight: number[];
  bias: number[];
  grad_weight: number[];
  grad_bias: number[];
  weight_after_sgd: number[];
  bias_after_sgd: number[];
}

const fx = JSON.parse(readFileSync(new URL('../fixtures/manual_mlp.json', import.meta.url), 'utf8')) as {
  batch: number;
  inputs: number;
  hidden: number[];
  classes: number;
  lr: number;
  x: number[];
  labels: number[];
  layers: LayerFixture[];
  probs: number[];
  loss: number;
  grad_x: number[];
};

/** max |a−b| / max |b|: the error relative to the values' scale. */
function scaledError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let [diff, scale] = [0, 0];
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / scale;
}

describe.each([
  ['js', 'float64', 1e-10],
  ['js', 'float32', 1e-5],
  ['native', 'float32', 1e-5],
  ['wasm', 'float32', 1e-5],
] as const)('manual MLP on %s (%s) matches PyTorch', (backendName: BackendName, dtype, tolerance) => {
  const backend = getBackend(backendName);
  const on = { backend, dtype };

  function build() {
    const mlp = new manual.MLP(fx.inputs, fx.hidden, fx.classes, on);
    const linears = mlp.layers.filter((l): l is manual.LinearModule => l instanceof manual.LinearModule);
    linears.forEach((layer, i) => {
      backend.view(layer.params.weight.storage).set(fx.layers[i]!.weight);
      backend.view(layer.params.bias.storage).set(fx.layers[i]!.bias);
    });
    const x = Tensor.from(fx.x, [fx.batch, fx.inputs], on);
    const targets = new Array<number>(fx.batch * fx.classes).fill(0);
    fx.labels.forEach((label, r) => (targets[r * fx.classes + label] = 1));
    const y = Tensor.from(targets, [fx.batch, fx.classes], on);
    return { mlp, linears, x, y };
  }

  it('forward, loss, gradients and one SGD step', () => {
    const { mlp, linears, x, y } = build();
    const ce = new manual.CrossEntropyModule(on);
    const probs = mlp.forward(x);
    expect(scaledError(probs.toArray(), fx.probs)).toBeLessThan(tolerance);
    const loss = ce.forward(probs, y);
    expect(Math.abs(loss - fx.loss) / fx.loss).toBeLessThan(tolerance);
    mlp.backward(ce.backward(probs, y));
    linears.forEach((layer, i) => {
      expect(scaledError(layer.grads.weight.toArray(), fx.layers[i]!.grad_weight)).toBeLessThan(tolerance * 10);
      expect(scaledError(layer.grads.bias.toArray(), fx.layers[i]!.grad_bias)).toBeLessThan(tolerance * 10);
    });
    mlp.sgdStep(fx.lr);
    linears.forEach((layer, i) => {
      expect(scaledError(layer.params.weight.toArray(), fx.layers[i]!.weight_after_sgd)).toBeLessThan(tolerance * 10);
      expect(scaledError(layer.params.bias.toArray(), fx.layers[i]!.bias_after_sgd)).toBeLessThan(tolerance * 10);
    });
  });

  it('the input gradient, through every module by hand', () => {
    const { mlp, x, y } = build();
    const ce = new manual.CrossEntropyModule(on);
    const probs = mlp.forward(x);
    let grad = ce.backward(probs, y);
    for (let i = mlp.layers.length - 1; i >= 0; i--) grad = mlp.layers[i]!.backward(grad);
    expect(scaledError(grad.toArray(), fx.grad_x)).toBeLessThan(tolerance * 10);
  });
});

describe('manual module input checks', () => {
  it('names the shape a LinearModule expected', () => {
    const layer = new manual.LinearModule(3072, 100, { backend: 'js' });
    expect(() => layer.forward(Tensor.zeros([200, 3071], { backend: 'js' }))).toThrow(
      'LinearModule.forward: input of shape [200,3071] should be [batch,3072]',
    );
    expect(() => new manual.LinearModule(0, 3)).toThrow(/inFeatures must be a positive integer/);
  });

  it('refuses backward before forward and a wrong dout', () => {
    const elu = new manual.ELUModule({ backend: 'js' });
    expect(() => elu.backward(Tensor.zeros([2, 2], { backend: 'js' }))).toThrow(/before forward/);
    elu.forward(Tensor.zeros([2, 3], { backend: 'js' }));
    expect(() => elu.backward(Tensor.zeros([2, 2], { backend: 'js' }))).toThrow('ELUModule.backward: dout has shape [2,2], expected [2,3]');
  });
});
