/**
 * The course's gradient checks of the hand-written backward passes: each module's analytic
 * gradient against central finite differences, in float64 on the js backend, random shapes.
 * Relative error below 1e-5 (1e-6 for ELU), as the course asks.
 */

import { describe, expect, it } from 'vitest';
import { gradcheck, manual, Rng, Tensor, type Backend, getBackend } from '../../src/index.js';

const js: Backend = getBackend('js');
const f64 = { backend: js, dtype: 'float64' as const };

function randn(rng: Rng, n: number, scale = 1): Float64Array {
  return Float64Array.from({ length: n }, () => rng.normal() * scale);
}

/** The tensor's own storage (js backend: the live Float64Array), to perturb in place. */
const live = (t: Tensor) => js.view(t.storage) as Float64Array;

describe.each([1, 2, 3])('gradient checks, random shapes (seed %i)', (seed) => {
  const rng = new Rng(seed);
  const batch = 2 + rng.nextInt(6);
  const inputs = 3 + rng.nextInt(10);
  const outputs = 2 + rng.nextInt(8);

  it(`LinearModule dx, dW and db (${batch}×${inputs} → ${outputs})`, () => {
    const layer = new manual.LinearModule(inputs, outputs, { ...f64, rng, weightStd: 1 });
    live(layer.params.bias).set(randn(rng, outputs));
    const x = Tensor.from(randn(rng, batch * inputs), [batch, inputs], f64);
    const dout = randn(rng, batch * outputs);
    const forward = () => layer.forward(x).toArray();

    layer.forward(x);
    const dx = layer.backward(Tensor.from(dout, [batch, outputs], f64)).toArray();
    const dW = layer.grads.weight.toArray();
    const db = layer.grads.bias.toArray();

    expect(gradcheck.relativeError(dx, gradcheck.numericalGradientArray(forward, live(x), dout))).toBeLessThan(1e-5);
    expect(gradcheck.relativeError(dW, gradcheck.numericalGradientArray(forward, live(layer.params.weight), dout))).toBeLessThan(1e-5);
    expect(gradcheck.relativeError(db, gradcheck.numericalGradientArray(forward, live(layer.params.bias), dout))).toBeLessThan(1e-5);
  });

  it(`ELUModule dx (${batch}×${inputs})`, () => {
    const elu = new manual.ELUModule(f64);
    const x = Tensor.from(randn(rng, batch * inputs, 2), [batch, inputs], f64);
    const dout = randn(rng, batch * inputs);
    elu.forward(x);
    const dx = elu.backward(Tensor.from(dout, [batch, inputs], f64)).toArray();
    const numeric = gradcheck.numericalGradientArray(() => elu.forward(x).toArray(), live(x), dout);
    expect(gradcheck.relativeError(dx, numeric)).toBeLessThan(1e-6);
  });

  it(`SoftMaxModule dx (${batch}×${outputs})`, () => {
    const softmax = new manual.SoftMaxModule(f64);
    const x = Tensor.from(randn(rng, batch * outputs, 3), [batch, outputs], f64);
    const dout = randn(rng, batch * outputs);
    softmax.forward(x);
    const dx = softmax.backward(Tensor.from(dout, [batch, outputs], f64)).toArray();
    const numeric = gradcheck.numericalGradientArray(() => softmax.forward(x).toArray(), live(x), dout);
    expect(gradcheck.relativeError(dx, numeric)).toBeLessThan(1e-5);
  });

  it(`CrossEntropyModule dx (${batch}×${outputs})`, () => {
    const ce = new manual.CrossEntropyModule(f64);
    // Probabilities away from 0 (the loss's log is steep there), one-hot targets.
    const probs = Float64Array.from({ length: batch * outputs }, () => 0.05 + rng.nextFloat());
    const targets = new Float64Array(batch * outputs);
    for (let r = 0; r < batch; r++) targets[r * outputs + rng.nextInt(outputs)] = 1;
    const x = Tensor.from(probs, [batch, outputs], f64);
    const y = Tensor.from(targets, [batch, outputs], f64);
    const dx = ce.backward(x, y).toArray();
    const numeric = gradcheck.numericalGradient(() => ce.forward(x, y), live(x));
    expect(gradcheck.relativeError(dx, numeric)).toBeLessThan(1e-5);
  });
});

describe('the checks can fail', () => {
  it('a wrong backward (dW off by a factor) is caught', () => {
    const rng = new Rng(9);
    const layer = new manual.LinearModule(4, 3, { ...f64, rng, weightStd: 1 });
    const x = Tensor.from(randn(rng, 8), [2, 4], f64);
    const dout = randn(rng, 6);
    layer.forward(x);
    layer.backward(Tensor.from(dout, [2, 3], f64));
    const wrong = layer.grads.weight.toArray().map((v) => v * 1.001);
    const numeric = gradcheck.numericalGradientArray(() => layer.forward(x).toArray(), live(layer.params.weight), dout);
    expect(gradcheck.relativeError(wrong, numeric)).toBeGreaterThan(1e-5);
  });
});
