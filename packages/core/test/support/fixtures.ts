/** Reading the committed PyTorch fixtures ({shape, data} tensors) and comparing against them. */

import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { Tensor, type Backend, type DType, type nn } from '../../src/index.js';

export interface FixtureTensor {
  shape: number[];
  data: number[];
}

export function readFixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')) as T;
}

/** A fixture tensor on a backend; `requiresGrad` makes it a leaf whose gradient we compare. */
export function toTensor(t: FixtureTensor, on: { backend: Backend | string; dtype: DType }, requiresGrad = false): Tensor {
  return Tensor.from(t.data, t.shape, { ...on, requiresGrad });
}

/** max |a−b| / max(|b|, tiny): the error relative to the values' scale. */
export function scaledError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let [diff, scale] = [0, 1e-30];
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / scale;
}

/** The backends and dtypes each parity test runs on, with the tolerance of each. */
export const PARITY_TARGETS = [
  ['js', 'float64', 1e-10],
  ['js', 'float32', 1e-5],
  ['native', 'float32', 1e-5],
  ['wasm', 'float32', 1e-5],
] as const;

/** One case of nn_modules.json (see make_nn_fixtures.py for the layout). */
export interface FixtureCase {
  op: string;
  options: Record<string, unknown> | null;
  inputs: Record<string, FixtureTensor>;
  params?: Record<string, FixtureTensor>;
  buffers?: Record<string, FixtureTensor>;
  buffers_after?: Record<string, FixtureTensor | number>;
  eval?: { inputs: { x: FixtureTensor }; output: FixtureTensor };
  R?: FixtureTensor;
  output: FixtureTensor | number;
  grads: Record<string, FixtureTensor>;
  labels?: number[];
  logits?: FixtureTensor;
}

/** Where a case runs. */
export type On = { backend: Backend; dtype: DType };

/** Loads a case's parameters (and buffers) into a module through loadStateDict. */
export function loadCase(module: nn.Module, c: FixtureCase): void {
  const state: Record<string, FixtureTensor> = { ...c.params, ...c.buffers };
  const own = module.stateDict();
  // num_batches_tracked is a buffer PyTorch keeps as an integer; our fixture cases omit it.
  for (const name of Object.keys(own)) if (name.endsWith('num_batches_tracked') && !(name in state)) state[name] = { shape: [], data: [0] };
  module.loadStateDict(state);
}

/** Runs out = f(inputs), backward from R (or from the scalar loss), and compares everything. */
export function expectCase(c: FixtureCase, on: On, tolerance: number, run: (inputs: Record<string, Tensor>) => { out: Tensor; params?: Record<string, Tensor> }): void {
  const inputs = Object.fromEntries(Object.entries(c.inputs).map(([k, t]) => [k, toTensor(t, on, true)]));
  const { out, params = {} } = run(inputs);
  const wantOut = typeof c.output === 'number' ? [c.output] : c.output.data;
  expect(scaledError(out.toArray(), wantOut), 'output').toBeLessThan(tolerance);
  if (c.R) out.backward(toTensor(c.R, on));
  else out.backward();
  for (const [name, want] of Object.entries(c.grads)) {
    const t = inputs[name] ?? params[name];
    expect(t, `tensor ${name}`).toBeDefined();
    expect(scaledError(t!.grad!.toArray(), want.data), `grad of ${name}`).toBeLessThan(tolerance * 20);
  }
}
