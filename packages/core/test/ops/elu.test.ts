/**
 * ELU end to end, the worked example of docs/adding-an-op.md: the `elu`/`eluBackward` kernels on
 * native, wasm (SIMD and scalar builds) against the js backend in float64, the js kernels
 * against closed forms, the autograd op against finite differences (float64), and nn.ELU
 * against PyTorch (fixtures/nn_modules.json, case "elu") on every backend. Its argument errors
 * are in test/backends/error-parity.test.ts with every other kernel's.
 */

import { describe, expect, it } from 'vitest';
import { autograd, getBackend, getKernel, gradcheck, nn, ops, Rng, Tensor, type Backend, type Storage } from '../../src/index.js';
import { loadWasmKernelsSync } from '../../src/backends/wasm/load-node.js';
import { WasmBackend } from '../../src/backends/wasm/wasm-backend.js';
import { againstJs64 as both, maxRelativeError, randomArray, type KernelStorages as Storages } from '../backends/helpers.js';
import { expectCase, PARITY_TARGETS, readFixture, type FixtureCase } from '../support/fixtures.js';

const js = getBackend('js');

/** Elementwise lengths around the vector widths (4, 8) and large ones. */
const LENGTHS = [1, 7, 8, 9, 33, 1000, 3072];
const scaled = (a: Float32Array, k: number) => a.map((v) => v * k);
const abs = (a: ArrayLike<number>) => Float64Array.from(a, Math.abs);

describe.each([
  ['native', () => getBackend('native')],
  ['wasm', () => getBackend('wasm')],
  ['wasm scalar', () => new WasmBackend(loadWasmKernelsSync({ variant: 'scalar' }))],
] as Array<[string, () => Backend]>)('ELU kernels on %s match js in float64', (_label, make) => {
  const backend = make();

  it.each(LENGTHS)('elu on %i elements, alpha 1 and 0.3, and in place', (length) => {
    for (const alpha of [1, 0.3]) {
      const rng = new Rng(length + 2);
      const x = scaled(randomArray(rng, length), 6);
      x[0] = 0;
      if (length > 3) x.set([-1e-6, 3e-4, -20], 1); // near 0, where eˣ − 1 cancels, and far out
      const arrays = { x, out: new Float32Array(length) };
      const { got, want } = both(backend, arrays, (b, s) => getKernel('elu', b.name)(b, { x: s.x!, out: s.out!, alpha }));
      expect(maxRelativeError(got.out.out!, want.out.out!, abs(want.out.out!))).toBeLessThanOrEqual(1e-5);
      const inPlace = both(backend, arrays, (b, s) => getKernel('elu', b.name)(b, { x: s.x!, out: s.x!, alpha }));
      expect(maxRelativeError(inPlace.got.out.x!, want.out.out!, abs(want.out.out!))).toBeLessThanOrEqual(1e-5);
    }
  });

  it.each(LENGTHS)('eluBackward on %i elements, and in place (dx = dout)', (length) => {
    const rng = new Rng(length + 3);
    const arrays = { x: scaled(randomArray(rng, length), 6), dout: randomArray(rng, length), dx: new Float32Array(length) };
    const call = (dx: 'dx' | 'dout') => (b: Backend, s: Storages) =>
      getKernel('eluBackward', b.name)(b, { x: s.x!, dout: s.dout!, dx: s[dx]!, alpha: 0.7 });
    const { got, want } = both(backend, arrays, call('dx'));
    expect(maxRelativeError(got.out.dx!, want.out.dx!, abs(want.out.dx!))).toBeLessThanOrEqual(1e-5);
    const inPlace = both(backend, arrays, call('dout'));
    expect(maxRelativeError(inPlace.got.out.dout!, want.out.dx!, abs(want.out.dx!))).toBeLessThanOrEqual(1e-5);
  });
});

describe('ELU kernels on js', () => {
  const f64 = (values: ArrayLike<number>) => js.upload(Float64Array.from(values));
  const read = (s: Storage) => Array.from(js.view(s));

  it('ELU at known points, and its backward is its derivative', () => {
    const alpha = 0.5;
    const x = f64([0, 2, -1, -50, 1e-9, -1e-9]);
    const out = js.allocate(6, 'float64');
    getKernel('elu', 'js')(js, { x, out, alpha });
    const y = read(out);
    expect(y.slice(0, 2)).toEqual([0, 2]);
    expect(y[2]).toBeCloseTo(alpha * (Math.exp(-1) - 1), 15);
    expect(y[3]).toBeCloseTo(-alpha, 15);
    expect(y[5]! / -1e-9).toBeCloseTo(alpha, 8); // slope alpha just left of 0, no cancellation

    const points = Float64Array.of(-2, -0.3, 0.4, 3);
    const dx = js.allocate(4, 'float64');
    getKernel('eluBackward', 'js')(js, { x: js.upload(points), dout: f64([1, 1, 1, 1]), dx, alpha });
    const elu = (v: number) => (v > 0 ? v : alpha * Math.expm1(v));
    const numeric = Array.from(points, (v) => (elu(v + 1e-6) - elu(v - 1e-6)) / 2e-6);
    expect(gradcheck.relativeError(read(dx), numeric)).toBeLessThan(1e-8);
  });
});

describe('ops.elu against finite differences (float64)', () => {
  const rng = new Rng(7);
  const randn = (shape: number[]) =>
    Tensor.from(Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape, {
      backend: js,
      dtype: 'float64',
      requiresGrad: true,
    });
  it('alpha 1 and 0.5', () => {
    expect(autograd.gradcheck((a) => ops.elu(a!), [randn([4, 5])])).toBe(true);
    expect(autograd.gradcheck((a) => ops.elu(a!, 0.5), [randn([3, 3])])).toBe(true);
  });
});

const fixture = readFixture<{ cases: Record<string, FixtureCase> }>('nn_modules.json').cases.elu!;

describe.each(PARITY_TARGETS)('nn.ELU on %s (%s) matches PyTorch', (backendName, dtype, tolerance) => {
  it('output and input gradient', () => {
    expectCase(fixture, { backend: getBackend(backendName), dtype }, tolerance, (i) => ({ out: new nn.ELU(1).forward(i.x!) }));
  });
});
