/**
 * The practical's LayerNorm checks (experiment 3), on the three custom forms and nn.LayerNorm:
 * normalised rows (mean ≈ 0 to 1e-5, variance ≈ 1 to 0.1) for x = 2·randn + 10 with random
 * S ∈ [8, 32), M ∈ [64, 256); gradcheck of the hand-written function with γ = 1, β = 100·arange(M)
 * and with γ = √(10·arange(M)); the forms agree with each other and with PyTorch's layer_norm.
 */

import { describe, expect, it } from 'vitest';
import { autograd, getBackend, nn, Rng, Tensor, type BackendName } from '../../src/index.js';
import { readFixture, scaledError, toTensor, type FixtureTensor } from '../support/fixtures.js';

const rng = new Rng(2024);
const f64 = { backend: 'js' as const, dtype: 'float64' as const };

function randomInput(rows: number, cols: number, on: { backend: BackendName; dtype: 'float32' | 'float64' }): Tensor {
  const values = Float64Array.from({ length: rows * cols }, () => 2 * rng.normal() + 10);
  return Tensor.from(values, [rows, cols], { ...on, requiresGrad: true });
}

/** Per-row mean and biased variance of a row-major S×M array. */
function rowStats(values: ArrayLike<number>, rows: number, cols: number): { means: number[]; variances: number[] } {
  const means: number[] = [];
  const variances: number[] = [];
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += values[r * cols + c]!;
    const m = s / cols;
    let v = 0;
    for (let c = 0; c < cols; c++) v += (values[r * cols + c]! - m) ** 2;
    means.push(m);
    variances.push(v / cols);
  }
  return { means, variances };
}

const forms = (features: number, on: { backend: BackendName; dtype: 'float32' | 'float64' }) => ({
  CustomLayerNormAutograd: new nn.CustomLayerNormAutograd(features, on),
  CustomLayerNormManualModule: new nn.CustomLayerNormManualModule(features, on),
  'nn.LayerNorm (Rust kernel)': new nn.LayerNorm(features, on),
});

describe.each([
  ['js', 'float64'],
  ['js', 'float32'],
  ['native', 'float32'],
  ['wasm', 'float32'],
] as const)('LayerNorm forms on %s (%s)', (backend, dtype) => {
  const on = { backend, dtype };
  getBackend(backend);

  it.each([1, 2, 3])('normalise each row: mean ≈ 0, variance ≈ 1 (draw %i)', () => {
    const rows = 8 + rng.nextInt(24);
    const cols = 64 + rng.nextInt(192);
    const x = randomInput(rows, cols, on);
    for (const [name, layer] of Object.entries(forms(cols, on))) {
      const { means, variances } = rowStats(layer.forward(x).toArray(), rows, cols);
      for (const m of means) expect(Math.abs(m), `${name} mean`).toBeLessThan(1e-5);
      for (const v of variances) expect(Math.abs(v - 1), `${name} variance`).toBeLessThan(0.1);
    }
  });

  it('the three forms agree with each other, forward and backward', () => {
    const [rows, cols] = [9, 70];
    const x = randomInput(rows, cols, on);
    const dy = Tensor.from(Float64Array.from({ length: rows * cols }, () => rng.normal()), [rows, cols], on);
    const results = Object.entries(forms(cols, on)).map(([name, layer]) => {
      const params = layer.parameters();
      // Non-trivial γ and β, the same for every form.
      params.forEach((p, i) => p.backend.view(p.storage).set(Float64Array.from({ length: cols }, (_, j) => (i === 0 ? 1 + 0.01 * j : 0.5 - 0.02 * j))));
      x.grad = null;
      layer.forward(x).backward(dy);
      return { name, out: layer.forward(x).toArray(), dx: x.grad!.toArray(), dgamma: params[0]!.grad!.toArray(), dbeta: params[1]!.grad!.toArray() };
    });
    const tolerance = dtype === 'float64' ? 1e-10 : 1e-4;
    for (const r of results.slice(1)) {
      for (const key of ['out', 'dx', 'dgamma', 'dbeta'] as const) {
        expect(scaledError(r[key], results[0]![key]), `${r.name} ${key}`).toBeLessThan(tolerance);
      }
    }
  });

  it("each form matches PyTorch's layer_norm (forward and backward)", () => {
    const k = readFixture<{ cases: Record<string, { inputs: { x: FixtureTensor }; params: Record<string, FixtureTensor>; R: FixtureTensor; output: FixtureTensor; grads: Record<string, FixtureTensor> }> }>('nn_modules.json').cases.layernorm!;
    const tolerance = dtype === 'float64' ? 1e-10 : 1e-5;
    for (const [name, layer] of Object.entries(forms(6, on))) {
      const [gamma, beta] = layer.parameters() as [Tensor, Tensor];
      gamma.backend.view(gamma.storage).set(k.params.weight!.data);
      beta.backend.view(beta.storage).set(k.params.bias!.data);
      const x = toTensor(k.inputs.x, on, true);
      const out = layer.forward(x);
      expect(scaledError(out.toArray(), k.output.data), `${name} output`).toBeLessThan(tolerance);
      out.backward(toTensor(k.R, on));
      expect(scaledError(x.grad!.toArray(), k.grads.x!.data), `${name} dx`).toBeLessThan(tolerance * 20);
      expect(scaledError(gamma.grad!.toArray(), k.grads.weight!.data), `${name} dγ`).toBeLessThan(tolerance * 20);
      expect(scaledError(beta.grad!.toArray(), k.grads.bias!.data), `${name} dβ`).toBeLessThan(tolerance * 20);
    }
  });
});

describe('CustomLayerNormManualFunction', () => {
  const [rows, cols] = [8 + rng.nextInt(4), 64 + rng.nextInt(16)];
  const arange = Float64Array.from({ length: cols }, (_, j) => j);

  it('passes gradcheck with γ = 1, β = 100·arange(M)', () => {
    const x = randomInput(rows, cols, f64);
    const gamma = Tensor.from(new Float64Array(cols).fill(1), [cols], { ...f64, requiresGrad: true });
    const beta = Tensor.from(arange.map((j) => 100 * j), [cols], { ...f64, requiresGrad: true });
    expect(autograd.gradcheck((a, g, b) => nn.CustomLayerNormManualFunction.apply(a!, g!, b!), [x, gamma, beta])).toBe(true);
  });

  it('passes gradcheck with γ = √(10·arange(M))', () => {
    const x = randomInput(rows, cols, f64);
    const gamma = Tensor.from(arange.map((j) => Math.sqrt(10 * j)), [cols], { ...f64, requiresGrad: true });
    const beta = Tensor.from(new Float64Array(cols), [cols], { ...f64, requiresGrad: true });
    expect(autograd.gradcheck((a, g, b) => nn.CustomLayerNormManualFunction.apply(a!, g!, b!), [x, gamma, beta])).toBe(true);
  });

  it('returns no gradient for an input that needs none', () => {
    const x = Tensor.from(Float64Array.from({ length: 12 }, () => rng.normal()), [3, 4], f64);
    const gamma = Tensor.from([1, 2, 3, 4], [4], { ...f64, requiresGrad: true });
    const beta = Tensor.from([0, 0, 0, 0], [4], f64);
    nn.CustomLayerNormManualFunction.apply(x, gamma, beta).sum().backward();
    expect(gamma.grad).not.toBeNull();
    expect(x.grad).toBeNull();
    expect(beta.grad).toBeNull();
  });

  it('refuses an input whose shape does not fit, naming it', () => {
    const layer = new nn.CustomLayerNormManualModule(5, f64);
    expect(() => layer.forward(Tensor.zeros([3, 4], f64))).toThrow('CustomLayerNormManualModule: input of shape [3,4] should be [S, 5] (S rows of 5 features)');
    expect(() => new nn.CustomLayerNormAutograd(5, f64).forward(Tensor.zeros([5], f64))).toThrow(/input of shape \[5\] should be \[S, 5\]/);
  });
});
