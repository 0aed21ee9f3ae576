/**
 * Convolution layers against PyTorch (fixtures/conv_modules.json, made by make_conv_fixtures.py):
 * Conv2d, MaxPool2d, BatchNorm2d and the pre-activation block — forward output and the gradient
 * of sum(out·R) wrt the input and every parameter — on js (float64 and float32), native, wasm;
 * then the whole practical ConvNet (float32, train mode) from dlp's own initialisation on native
 * and wasm: same initial weights (sha256), logits and loss (against PyTorch's float32 run and its
 * float64 rerun) and a handful of gradients (against the float64 rerun, see below).
 */

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { getBackend, models, nn, Rng, Tensor, type Backend, type DType } from '../../src/index.js';
import { PARITY_TARGETS, readFixture, scaledError, toTensor, type FixtureTensor } from '../support/fixtures.js';

interface Case {
  op: string;
  options: Record<string, number | boolean>;
  inputs: { x: FixtureTensor };
  params?: Record<string, FixtureTensor>;
  buffers?: Record<string, FixtureTensor>;
  buffers_after?: Record<string, FixtureTensor | number>;
  R: FixtureTensor;
  output: FixtureTensor;
  grads: Record<string, FixtureTensor>;
}

/** Every stride-th flat value of a gradient too large to store whole, with its sums. */
interface GradSample {
  shape: number[];
  stride: number;
  values: number[];
  sum: number;
  abs_sum: number;
}

interface ConvNetCase {
  seed: number;
  init_sha256: string;
  parameter_names: string[];
  input_seed: number;
  input_sum: number;
  labels: number[];
  logits: FixtureTensor;
  loss: number;
  grads: Record<string, FixtureTensor>;
  grad_samples: Record<string, GradSample>;
  float64: { logits: FixtureTensor; loss: number; grads: Record<string, FixtureTensor>; grad_samples: Record<string, GradSample> };
  torch_float32_error: Record<string, number>;
}

const fx = readFixture<{ cases: Record<string, Case>; convnet: ConvNetCase }>('conv_modules.json');

type On = { backend: Backend; dtype: DType };

/** Loads a case's parameters (and buffers) into a module through loadStateDict. */
function load(module: nn.Module, c: Case): void {
  const state: Record<string, FixtureTensor> = { ...c.params, ...c.buffers };
  for (const name of Object.keys(module.stateDict())) if (name.endsWith('num_batches_tracked') && !(name in state)) state[name] = { shape: [], data: [0] };
  module.loadStateDict(state);
}

/** out = module(x), backward from R; output and every gradient (input and parameters) compared. */
function expectModule(module: nn.Module, c: Case, on: On, tolerance: number): void {
  const x = toTensor(c.inputs.x, on, true);
  const out = module.forward(x);
  expect(out.shape).toEqual(c.output.shape);
  expect(scaledError(out.toArray(), c.output.data), 'output').toBeLessThan(tolerance);
  out.backward(toTensor(c.R, on));
  const params = Object.fromEntries(module.namedParameters());
  expect(Object.keys(params).sort()).toEqual(Object.keys(c.params ?? {}).sort());
  for (const [name, want] of Object.entries(c.grads)) {
    const t = name === 'x' ? x : params[name];
    expect(t, `tensor ${name}`).toBeDefined();
    expect(scaledError(t!.grad!.toArray(), want.data), `grad of ${name}`).toBeLessThan(tolerance * 20);
  }
  for (const [name, want] of Object.entries(c.buffers_after ?? {})) {
    const buffers = Object.fromEntries(module.namedBuffers());
    if (typeof want === 'number') expect(buffers[name]!.item(), name).toBe(want);
    else expect(scaledError(buffers[name]!.toArray(), want.data), name).toBeLessThan(tolerance);
  }
}

const convCases = ['conv2d_s1_p1', 'conv2d_s2_p1', 'conv2d_s2_p0_nobias', 'conv2d_1x1'] as const;
const poolCases = ['maxpool_3_2_1', 'maxpool_2'] as const;

describe.each(PARITY_TARGETS)('convolution layers on %s (%s) match PyTorch', (backendName, dtype, tolerance) => {
  const on: On = { backend: getBackend(backendName), dtype };
  const c = fx.cases;

  it.each(convCases)('Conv2d %s', (name) => {
    const k = c[name]!;
    const o = k.options as { inChannels: number; outChannels: number; kernelSize: number; stride: number; padding: number; bias: boolean };
    const conv = new nn.Conv2d(o.inChannels, o.outChannels, o.kernelSize, { ...on, stride: o.stride, padding: o.padding, bias: o.bias });
    load(conv, k);
    expectModule(conv, k, on, tolerance);
  });

  it.each(poolCases)('MaxPool2d %s (outputs and gradients; indices are not exposed)', (name) => {
    const k = c[name]!;
    const o = k.options as { kernelSize: number; stride: number; padding: number };
    expectModule(new nn.MaxPool2d(o.kernelSize, { stride: o.stride, padding: o.padding }), k, on, tolerance);
  });

  it('BatchNorm2d in training: output, gradients, running statistics', () => {
    const k = c.batchnorm2d_train!;
    const bn = new nn.BatchNorm2d(3, on);
    load(bn, k);
    expectModule(bn, k, on, tolerance);
    expect(bn.numBatchesTracked!.item()).toBe(1);
  });

  it('PreActBlock in training (x + conv(relu(bn(x)))): names, output, gradients, running statistics', () => {
    const k = c.preact_block!;
    const block = new models.PreActBlock(2, on);
    expect(Object.keys(Object.fromEntries(block.namedParameters()))).toEqual(['bn.weight', 'bn.bias', 'conv.weight', 'conv.bias']);
    load(block, k);
    expectModule(block, k, on, tolerance);
  });
});

describe.each(['native', 'wasm'] as const)('the practical ConvNet on %s (float32, train mode) matches PyTorch', (backendName) => {
  const k = fx.convnet;

  it('same initial weights, logits, loss and gradients', { timeout: 300_000 }, () => {
    const on = { backend: getBackend(backendName), dtype: 'float32' as const };
    const model = new models.ConvNet({ ...on, rng: new Rng(k.seed) });
    const named = [...model.namedParameters()];
    expect(named.map(([name]) => name)).toEqual(k.parameter_names);
    const hash = createHash('sha256');
    for (const [, t] of named) hash.update(new Uint8Array(Float32Array.from(t.toArray()).buffer));
    expect(hash.digest('hex'), 'init sha256').toBe(k.init_sha256);

    const rng = new Rng(k.input_seed);
    const input = Float32Array.from({ length: 2 * 3 * 32 * 32 }, () => (2 * rng.nextFloat() - 1) * 100);
    expect(input.reduce((s, v) => s + v, 0)).toBeCloseTo(k.input_sum, 6);
    const x = Tensor.from(input, [2, 3, 32, 32], on);

    model.train();
    const logits = model.forward(x);
    expect(logits.shape).toEqual(k.logits.shape);
    expect(scaledError(logits.toArray(), k.logits.data), 'logits').toBeLessThan(1e-4);
    const loss = nn.functional.crossEntropy(logits, k.labels);
    expect(Math.abs(loss.item() - k.loss) / Math.abs(k.loss), 'loss').toBeLessThan(1e-4);
    loss.backward();

    const params = Object.fromEntries(named);
    const ref = k.float64;
    expect(scaledError(logits.toArray(), ref.logits.data), 'logits vs float64').toBeLessThan(1e-4);
    expect(Math.abs(loss.item() - ref.loss) / Math.abs(ref.loss), 'loss vs float64').toBeLessThan(1e-4);
    // Gradients are measured against the float64 reference (PyTorch, same float32-valued weights
    // and input): float32 rounding through the 20 stages alone moves PyTorch's own float32
    // gradients by up to ~1.7e-3 (torch_float32_error), so dlp must do no worse than 1.5× that,
    // and within 1e-3 where PyTorch's own float32 error is smaller.
    const budget = (name: string) => Math.max(1e-3, 1.5 * k.torch_float32_error[name]!);
    for (const name of Object.keys(k.grads)) {
      expect(scaledError(params[name]!.grad!.toArray(), ref.grads[name]!.data), `grad of ${name}`).toBeLessThan(budget(name));
    }
    for (const [name, want] of Object.entries(ref.grad_samples)) {
      const got = params[name]!.grad!.toArray();
      expect(got.length).toBe(want.shape.reduce((a, b) => a * b, 1));
      const sampled = Array.from({ length: want.values.length }, (_, i) => got[i * want.stride]!);
      expect(scaledError(sampled, want.values), `grad of ${name} (every ${want.stride}th value)`).toBeLessThan(budget(name));
      const absSum = Array.from(got).reduce((s, v) => s + Math.abs(v), 0);
      expect(Math.abs(absSum - want.abs_sum) / want.abs_sum, `sum |grad| of ${name}`).toBeLessThan(1e-3);
    }
  });
});
