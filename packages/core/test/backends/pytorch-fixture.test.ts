/**
 * Every backend against PyTorch: test/fixtures/matmul.json holds torch.addmm results on
 * seeded inputs (made by test/fixtures/make_fixtures.py, committed beside it).
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { getBackend, getKernel, type BackendName } from '../../src/index.js';
import { gemmMagnitude, maxRelativeError } from './helpers.js';

interface FixtureCase {
  name: string;
  dtype: 'float32' | 'float64';
  m: number;
  k: number;
  n: number;
  transA: boolean;
  transB: boolean;
  alpha: number;
  beta: number;
  a: number[];
  b: number[];
  c0: number[];
  out: number[];
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/matmul.json', import.meta.url), 'utf8')) as {
  torch: string;
  cases: FixtureCase[];
};

const BACKENDS: BackendName[] = ['js', 'native', 'wasm'];

describe.each(BACKENDS)(`gemm on %s matches PyTorch ${fixture.torch}`, (name) => {
  const backend = getBackend(name);
  const runnable = fixture.cases.filter((c) => backend.supportsDType(c.dtype));

  it('has fixture cases to run', () => {
    expect(runnable.length).toBeGreaterThanOrEqual(8);
  });

  it.each(runnable.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const typed = (xs: number[]) => (c.dtype === 'float64' ? Float64Array.from(xs) : Float32Array.from(xs));
    const [a, b, cs] = [backend.upload(typed(c.a)), backend.upload(typed(c.b)), backend.upload(typed(c.c0))];
    getKernel('gemm', name)(backend, { ...c, a, b, c: cs });
    const got = backend.view(cs).slice();
    const tolerance = c.dtype === 'float64' ? 1e-12 : 1e-5;
    expect(maxRelativeError(got, c.out, gemmMagnitude(c, c.a, c.b, c.c0))).toBeLessThan(tolerance);
  });
});
