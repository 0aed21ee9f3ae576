/**
 * The gemm kernel on native and wasm against the js reference (computed in float64) on many
 * shapes, every transpose variant and alpha/beta ≠ 1: all within 1e-5 relative.
 * Both fast backends must load: the test command builds them first.
 */

import { describe, expect, it } from 'vitest';
import { getBackend, getKernel, gemmReference, Rng, type BackendName } from '../../src/index.js';
import { gemmMagnitude, maxRelativeError, randomArray, type GemmShape } from './helpers.js';

const SHAPES: Array<[number, number, number]> = [
  [1, 1, 1],
  [7, 13, 5],
  [33, 65, 17],
  [3, 1, 9],
  [64, 64, 64],
  [129, 31, 257],
  [200, 100, 3072],
  [17, 9, 1023],
];

function cases(): GemmShape[] {
  const out: GemmShape[] = [];
  const scalars: Array<[number, number]> = [[1, 0], [0.5, 1], [-2, 0.25]];
  SHAPES.forEach(([m, n, k], s) => {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        const [alpha, beta] = scalars[(s + Number(transA) + 2 * Number(transB)) % scalars.length]!;
        out.push({ transA, transB, m, n, k, alpha, beta });
      }
    }
  });
  return out;
}

const FAST: BackendName[] = ['native', 'wasm'];
const ALL: BackendName[] = ['js', 'native', 'wasm'];

describe.each(FAST)('gemm on the %s backend', (name) => {
  const backend = getBackend(name);
  const gemm = getKernel('gemm', name);

  it.each(cases().map((c) => [`${c.m}x${c.k}x${c.n} tA=${c.transA} tB=${c.transB} α=${c.alpha} β=${c.beta}`, c] as const))(
    'matches the js reference: %s',
    (_label, spec) => {
      const rng = new Rng(spec.m * 7919 + spec.n * 31 + spec.k);
      const a = randomArray(rng, spec.m * spec.k);
      const b = randomArray(rng, spec.k * spec.n);
      const c0 = randomArray(rng, spec.m * spec.n);

      const want = Float64Array.from(c0);
      gemmReference(spec, Float64Array.from(a), Float64Array.from(b), want);

      const [sa, sb, sc] = [backend.upload(a), backend.upload(b), backend.upload(c0)];
      gemm(backend, { ...spec, a: sa, b: sb, c: sc });
      const got = backend.view(sc).slice();
      for (const s of [sa, sb, sc]) backend.release(s);

      expect(maxRelativeError(got, want, gemmMagnitude(spec, a, b, c0))).toBeLessThan(1e-5);
    },
  );

  it('runs identically twice on the same inputs (no state leaks between calls)', () => {
    const rng = new Rng(3);
    const a = backend.upload(randomArray(rng, 128 * 300));
    const b = backend.upload(randomArray(rng, 300 * 70));
    const c1 = backend.allocate(128 * 70, 'float32');
    const c2 = backend.allocate(128 * 70, 'float32');
    const spec = { transA: false, transB: false, m: 128, n: 70, k: 300, alpha: 1, beta: 0 };
    gemm(backend, { ...spec, a, b, c: c1 });
    gemm(backend, { ...spec, a, b, c: c2 });
    expect(backend.view(c2)).toEqual(backend.view(c1));
  });
});

describe.each(ALL)('gemm arguments on the %s backend', (name) => {
  const backend = getBackend(name);
  const gemm = getKernel('gemm', name);

  it('refuses buffers whose lengths do not fit the shapes, naming the operand', () => {
    const [sa, sb, sc] = [backend.allocate(5, 'float32'), backend.allocate(6, 'float32'), backend.allocate(4, 'float32')];
    expect(() => gemm(backend, { transA: false, transB: false, m: 2, n: 2, k: 3, alpha: 1, beta: 0, a: sa, b: sb, c: sc })).toThrow(
      /A should hold 2x3 = 6 elements but holds 5/,
    );
  });
});

describe('the three backends agree with each other', () => {
  it('native, wasm and js give the same product within 1e-5 relative', () => {
    const spec: GemmShape = { transA: true, transB: false, m: 50, n: 40, k: 513, alpha: 1, beta: 0 };
    const rng = new Rng(11);
    const a = randomArray(rng, spec.m * spec.k);
    const b = randomArray(rng, spec.k * spec.n);
    const results = (['js', 'native', 'wasm'] as const).map((name) => {
      const backend = getBackend(name);
      const c = backend.allocate(spec.m * spec.n, 'float32');
      getKernel('gemm', name)(backend, { ...spec, a: backend.upload(a), b: backend.upload(b), c });
      return backend.view(c).slice();
    });
    const magnitude = gemmMagnitude(spec, a, b, new Float32Array(spec.m * spec.n));
    expect(maxRelativeError(results[1]!, results[0]!, magnitude)).toBeLessThan(1e-5);
    expect(maxRelativeError(results[2]!, results[0]!, magnitude)).toBeLessThan(1e-5);
    expect(maxRelativeError(results[2]!, results[1]!, magnitude)).toBeLessThan(1e-5);
  });
});
