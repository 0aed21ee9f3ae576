/**
 * The autograd ops' kernels (unary … axpy) on native, wasm (SIMD build) and wasm (scalar build)
 * against the js backend in float64 on the same seeded inputs: broadcasting (stride 0),
 * transposed views, scalars, empty tensors, every reduceSum axis pattern of a rank-3 and a
 * rank-4 tensor, maxAlong with ties and NaN, and the in-place variants; within 1e-5 relative.
 * Then the js backend itself against hand-computed float64 values, and every backend's
 * argument errors. Both fast backends must load: the test command builds them first.
 */

import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  getBackend,
  getKernel,
  Rng,
  ShapeError,
  type Backend,
  type KernelName,
  type Storage,
} from '../../src/index.js';
import type { BinaryOp, UnaryOp } from '../../src/kernels/elementwise.js';
import { loadWasmKernelsSync } from '../../src/backends/wasm/load-node.js';
import { WasmBackend } from '../../src/backends/wasm/wasm-backend.js';
import { againstJs64, maxRelativeError, randomArray, type KernelStorages } from './helpers.js';

const js = getBackend('js');

/** The fast backends, each with a label: the wasm scalar build runs the kernels' scalar path. */
const FAST: Array<[string, () => Backend]> = [
  ['native', () => getBackend('native')],
  ['wasm', () => getBackend('wasm')],
  ['wasm scalar', () => new WasmBackend(loadWasmKernelsSync({ variant: 'scalar' }))],
];

/** Elementwise lengths around the vector widths (4, 8) and large ones. */
const LENGTHS = [1, 7, 8, 9, 33, 1000, 3072];
/** rows×cols: single elements, partial vectors, a classifier's 128×10, long rows. */
const SHAPES: Array<[number, number]> = [[1, 1], [1, 7], [3, 8], [2, 9], [5, 33], [128, 10], [3, 1000]];
const UNARY_OPS: UnaryOp[] = ['neg', 'exp', 'log', 'sqrt', 'relu', 'tanh', 'sigmoid'];
const BINARY_OPS: BinaryOp[] = ['add', 'sub', 'mul', 'div'];
const TOL = 1e-5;

const abs = (a: ArrayLike<number>) => Float64Array.from(a, Math.abs);
const size = (shape: readonly number[]) => shape.reduce((n, d) => n * d, 1);
const relative = (got: number, want: number) => Math.abs(got - want) / Math.max(Math.abs(want), 1e-300);
/** NaN-aware exact equality of two arrays (Object.is also tells −0 from 0, which no kernel needs to). */
const sameValues = (got: ArrayLike<number>, want: ArrayLike<number>) =>
  Array.from(got).every((g, i) => g === want[i] || (Number.isNaN(g) && Number.isNaN(want[i]!)));

/** Inputs where op is defined and interesting: positive for log and sqrt, exact zeros for relu. */
function unaryInput(op: UnaryOp, rng: Rng, length: number): Float32Array {
  const x = randomArray(rng, length).map((v) => v * 6);
  if (op === 'log' || op === 'sqrt') return x.map((v) => Math.abs(v) + 1e-3);
  if (length > 4) x.set([0, -1e-6, 30, -30], 0); // 0, near 0, and tanh/sigmoid saturated
  return x;
}

/** f32 forward outputs y = op(x), the backward's input. */
function forward(op: UnaryOp, x: Float32Array): Float32Array {
  const s = js.upload(Float64Array.from(x));
  const y = js.allocate(x.length, 'float64');
  getKernel('unary', 'js')(js, { op, x: s, out: y });
  return Float32Array.from(js.view(y));
}

/** A strided view for binary/copy: its shape, a storage length and strides that read inside it. */
interface View {
  name: string;
  shape: number[];
  a: { length: number; strides: number[] };
  b: { length: number; strides: number[] };
}

const rowMajor = (shape: readonly number[]) => {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) [strides[d], s] = [s, s * shape[d]!];
  return strides;
};
const dense = (shape: number[]) => ({ length: size(shape), strides: rowMajor(shape) });

const VIEWS: View[] = [
  { name: 'same shape [1000]', shape: [1000], a: dense([1000]), b: dense([1000]) },
  { name: 'same shape [3,5,7]', shape: [3, 5, 7], a: dense([3, 5, 7]), b: dense([3, 5, 7]) },
  { name: 'row broadcast [5,33] op [33]', shape: [5, 33], a: dense([5, 33]), b: { length: 33, strides: [0, 1] } },
  { name: 'row broadcast [64,257] op [257]', shape: [64, 257], a: dense([64, 257]), b: { length: 257, strides: [0, 1] } },
  { name: '[2,9] op scalar', shape: [2, 9], a: dense([2, 9]), b: { length: 1, strides: [0, 0] } },
  { name: 'scalar op [7,3]', shape: [7, 3], a: { length: 1, strides: [0, 0] }, b: dense([7, 3]) },
  { name: 'column broadcast [4,9] op [4,1]', shape: [4, 9], a: dense([4, 9]), b: { length: 4, strides: [1, 0] } },
  { name: 'transposed a [3,5]', shape: [3, 5], a: { length: 15, strides: [1, 3] }, b: dense([3, 5]) },
  {
    name: 'rank 4: broadcast [3,1,5] op a reversed transpose',
    shape: [2, 3, 4, 5],
    a: { length: 15, strides: [0, 5, 0, 1] },
    b: { length: 120, strides: [1, 2, 6, 24] },
  },
  { name: 'both broadcast [6,1] op [1,7]', shape: [6, 7], a: { length: 6, strides: [1, 0] }, b: { length: 7, strides: [0, 1] } },
  { name: 'a scalar []', shape: [], a: { length: 1, strides: [] }, b: { length: 1, strides: [] } },
  { name: '[1,1]', shape: [1, 1], a: dense([1, 1]), b: { length: 1, strides: [0, 0] } },
  { name: 'empty [0,3]', shape: [0, 3], a: { length: 0, strides: [3, 1] }, b: { length: 3, strides: [0, 1] } },
];

/** Every subset of a rank-r tensor's axes, as flags. */
const axisPatterns = (rank: number) =>
  Array.from({ length: 1 << rank }, (_, m) => Array.from({ length: rank }, (_, d) => Boolean(m & (1 << d))));

const REDUCE_CASES: Array<[number[], boolean[]]> = [
  ...axisPatterns(3).map((axes): [number[], boolean[]] => [[3, 4, 5], axes]),
  ...axisPatterns(4).map((axes): [number[], boolean[]] => [[2, 3, 4, 5], axes]),
  [[128, 64], [true, false]], // a bias gradient: column sums
  [[3, 1000], [false, true]], // long row sums
  [[2, 3072], [true, true]], // a total
  [[4, 1, 9], [true, false, true]], // a size-1 axis between summed ones
  [[], []], // a scalar
  [[0, 3], [true, false]], // nothing to sum: out = beta·out
];

describe.each(FAST)('autograd kernels on %s match js in float64', (_label, make) => {
  const backend = make();

  describe.each(UNARY_OPS)('%s', (op) => {
    it.each(LENGTHS)('unary on %i elements, and in place', (length) => {
      const rng = new Rng(length + 10);
      const arrays = { x: unaryInput(op, rng, length), out: new Float32Array(length) };
      const { got, want } = againstJs64(backend, arrays, (b, s) => getKernel('unary', b.name)(b, { op, x: s.x!, out: s.out! }));
      expect(maxRelativeError(got.out.out!, want.out.out!, abs(want.out.out!))).toBeLessThanOrEqual(TOL);
      const inPlace = againstJs64(backend, arrays, (b, s) => getKernel('unary', b.name)(b, { op, x: s.x!, out: s.x! }));
      expect(maxRelativeError(inPlace.got.out.x!, want.out.out!, abs(want.out.out!))).toBeLessThanOrEqual(TOL);
    });

    it.each(LENGTHS)('unaryBackward on %i elements, and in place (dx = dout)', (length) => {
      const rng = new Rng(length + 11);
      const x = unaryInput(op, rng, length);
      const arrays = { x, y: forward(op, x), dout: randomArray(rng, length), dx: new Float32Array(length) };
      const call = (dx: 'dx' | 'dout') => (b: Backend, s: KernelStorages) =>
        getKernel('unaryBackward', b.name)(b, { op, x: s.x!, y: s.y!, dout: s.dout!, dx: s[dx]! });
      const { got, want } = againstJs64(backend, arrays, call('dx'));
      expect(maxRelativeError(got.out.dx!, want.out.dx!, abs(want.out.dx!))).toBeLessThanOrEqual(TOL);
      const inPlace = againstJs64(backend, arrays, call('dout'));
      expect(maxRelativeError(inPlace.got.out.dout!, want.out.dx!, abs(want.out.dx!))).toBeLessThanOrEqual(TOL);
    });
  });

  describe.each(VIEWS.map((v) => [v.name, v] as const))('binary on %s', (_name, view) => {
    it.each(BINARY_OPS)('%s', (op) => {
      const rng = new Rng(view.shape.reduce((h, d) => h * 31 + d, 7) + op.length);
      const a = randomArray(rng, view.a.length);
      // Divisors kept away from 0, so the quotient's scale is that of its operands.
      const b = randomArray(rng, view.b.length).map((v) => (op === 'div' ? Math.sign(v || 1) * (0.5 + Math.abs(v)) : v));
      const arrays = { a, b, out: new Float32Array(size(view.shape)) };
      const { got, want } = againstJs64(backend, arrays, (be, s) =>
        getKernel('binary', be.name)(be, {
          op, shape: view.shape, a: s.a!, aStrides: view.a.strides, b: s.b!, bStrides: view.b.strides, out: s.out!,
        }),
      );
      // add/sub cancel: judge them against |a| + |b|, read back through a second add of |a|, |b|.
      const magnitude = abs(want.out.out!);
      if (op === 'add' || op === 'sub') {
        const sums = againstJs64(js, { a: a.map(Math.abs), b: b.map(Math.abs), out: arrays.out }, (be, s) =>
          getKernel('binary', be.name)(be, {
            op: 'add', shape: view.shape, a: s.a!, aStrides: view.a.strides, b: s.b!, bStrides: view.b.strides, out: s.out!,
          }),
        );
        magnitude.set(sums.want.out.out!);
      }
      expect(maxRelativeError(got.out.out!, want.out.out!, magnitude)).toBeLessThanOrEqual(TOL);
    });
  });

  it.each(BINARY_OPS)('binary %s in place: out = a under a broadcast b, and out = b under a broadcast a', (op) => {
    const rng = new Rng(40 + op.length);
    const [rows, cols] = [5, 33];
    const m = randomArray(rng, rows * cols).map((v) => v + 2);
    const row = randomArray(rng, cols).map((v) => v + 2);
    const intoA = (b: Backend, s: KernelStorages) =>
      getKernel('binary', b.name)(b, { op, shape: [rows, cols], a: s.m!, aStrides: [cols, 1], b: s.row!, bStrides: [0, 1], out: s.m! });
    const { got, want } = againstJs64(backend, { m, row }, intoA);
    expect(maxRelativeError(got.out.m!, want.out.m!, abs(want.out.m!).map((v) => v + 4))).toBeLessThanOrEqual(TOL);
    const intoB = (b: Backend, s: KernelStorages) =>
      getKernel('binary', b.name)(b, { op, shape: [rows, cols], a: s.row!, aStrides: [0, 1], b: s.m!, bStrides: [cols, 1], out: s.m! });
    const other = againstJs64(backend, { m, row }, intoB);
    expect(maxRelativeError(other.got.out.m!, other.want.out.m!, abs(other.want.out.m!).map((v) => v + 4))).toBeLessThanOrEqual(TOL);
  });

  it.each(VIEWS.map((v) => [v.name, v] as const))('copy of %s (the a view)', (_name, view) => {
    const rng = new Rng(view.a.length + 50);
    const arrays = { x: randomArray(rng, view.a.length), out: new Float32Array(size(view.shape)) };
    const { got, want } = againstJs64(backend, arrays, (b, s) =>
      getKernel('copy', b.name)(b, { shape: view.shape, x: s.x!, strides: view.a.strides, out: s.out! }),
    );
    expect(Array.from(got.out.out!)).toEqual(Array.from(want.out.out!));
  });

  describe.each(REDUCE_CASES.map(([shape, axes]) => [`[${shape}]`, `[${axes.map(Number)}]`, shape, axes] as const))(
    'reduceSum of %s over axes %s',
    (_s, _a, shape, axes) => {
      it.each([0, 1, -0.5])('beta %d', (beta) => {
        const rng = new Rng(size(shape) + axes.filter(Boolean).length);
        const outShape = shape.filter((_d, i) => !axes[i]);
        const x = randomArray(rng, size(shape));
        const out = randomArray(rng, size(outShape));
        const { got, want } = againstJs64(backend, { x, out }, (b, s) =>
          getKernel('reduceSum', b.name)(b, { x: s.x!, shape, axes, out: s.out!, beta }),
        );
        // Σ|x| over the summed elements plus |beta·out|: the scale of the rounding error.
        const magnitude = againstJs64(js, { x: x.map(Math.abs), out: out.map(Math.abs) }, (b, s) =>
          getKernel('reduceSum', b.name)(b, { x: s.x!, shape, axes, out: s.out!, beta: Math.abs(beta) }),
        ).want.out.out!;
        expect(maxRelativeError(got.out.out!, want.out.out!, magnitude)).toBeLessThanOrEqual(TOL);
      });
    },
  );

  it.each([
    [1, 7, 1],
    [3, 5, 4],
    [2, 9, 33],
    [4, 1, 3],
    [128, 10, 1],
    [0, 3, 2],
  ])('maxAlong [%i, %i, %i] with ties and NaN, and its backward', (outer, sz, inner) => {
    const rng = new Rng(outer * 100 + sz * 10 + inner);
    // Quarters in [−1, 1]: plenty of ties, which must resolve to the first index.
    const x = randomArray(rng, outer * sz * inner).map((v) => Math.round(v * 4) / 4);
    if (x.length > 20) x.set([Number.NaN], 17);
    if (x.length > 40) x.set([Number.NaN, Number.NaN], 37);
    const arrays = { x, out: new Float32Array(outer * inner) };
    const { got, want } = againstJs64(backend, arrays, (b, s) => {
      const indices = new Int32Array(outer * inner).fill(-7);
      getKernel('maxAlong', b.name)(b, { x: s.x!, outer, size: sz, inner, out: s.out!, indices });
      return indices;
    });
    expect(sameValues(got.out.out!, want.out.out!)).toBe(true);
    expect(Array.from(got.result)).toEqual(Array.from(want.result));

    const back = againstJs64(backend, { dout: randomArray(rng, outer * inner), dx: randomArray(rng, outer * sz * inner) }, (b, s) =>
      getKernel('maxAlongBackward', b.name)(b, { dout: s.dout!, indices: want.result, outer, size: sz, inner, dx: s.dx! }),
    );
    expect(Array.from(back.got.out.dx!)).toEqual(Array.from(back.want.out.dx!));
  });

  it.each(SHAPES)('logSoftmax %ix%i', (rows, cols) => {
    const rng = new Rng(rows * 1000 + cols + 60);
    const arrays = { x: randomArray(rng, rows * cols).map((v) => v * 8), out: new Float32Array(rows * cols) };
    const { got, want } = againstJs64(backend, arrays, (b, s) => getKernel('logSoftmax', b.name)(b, { x: s.x!, out: s.out!, rows, cols }));
    // Log-probabilities near 0 carry the absolute error of ln Σ: judge against |logp| + 1.
    expect(maxRelativeError(got.out.out!, want.out.out!, abs(want.out.out!).map((v) => v + 1))).toBeLessThanOrEqual(TOL);
  });

  it.each(SHAPES)('logSoftmaxBackward %ix%i, and in place (dx = dout)', (rows, cols) => {
    const rng = new Rng(rows * 1000 + cols + 61);
    const logits = js.upload(Float64Array.from(randomArray(rng, rows * cols), (v) => v * 4));
    const y = js.allocate(rows * cols, 'float64');
    getKernel('logSoftmax', 'js')(js, { x: logits, out: y, rows, cols });
    const arrays = { y: Float32Array.from(js.view(y)), dout: randomArray(rng, rows * cols), dx: new Float32Array(rows * cols) };
    const call = (dx: 'dx' | 'dout') => (b: Backend, s: KernelStorages) =>
      getKernel('logSoftmaxBackward', b.name)(b, { y: s.y!, dout: s.dout!, dx: s[dx]!, rows, cols });
    const { got, want } = againstJs64(backend, arrays, call('dx'));
    // dx = dout − p·Σdout cancels: judge it against |dout| + p·Σ|dout|.
    const magnitude = new Float64Array(rows * cols);
    for (let r = 0; r < rows; r++) {
      let sum = 0;
      for (let c = 0; c < cols; c++) sum += Math.abs(arrays.dout[r * cols + c]!);
      for (let c = 0; c < cols; c++) magnitude[r * cols + c] = Math.abs(arrays.dout[r * cols + c]!) + Math.exp(arrays.y[r * cols + c]!) * sum;
    }
    expect(maxRelativeError(got.out.dx!, want.out.dx!, magnitude)).toBeLessThanOrEqual(TOL);
    const inPlace = againstJs64(backend, arrays, call('dout'));
    expect(maxRelativeError(inPlace.got.out.dout!, want.out.dx!, magnitude)).toBeLessThanOrEqual(TOL);
  });

  it.each(SHAPES)('nllLoss and nllLossBackward %ix%i', (rows, cols) => {
    const rng = new Rng(rows * 1000 + cols + 62);
    const labels = Int32Array.from({ length: rows }, () => rng.nextInt(cols));
    const arrays = { logp: randomArray(rng, rows * cols).map((v) => v * 5 - 5), dlogp: randomArray(rng, rows * cols) };
    const { got, want } = againstJs64(backend, arrays, (b, s) => {
      getKernel('nllLossBackward', b.name)(b, { labels, rows, cols, scale: 0.7, dlogp: s.dlogp! });
      return getKernel('nllLoss', b.name)(b, { logp: s.logp!, labels, rows, cols });
    });
    expect(relative(got.result, want.result)).toBeLessThanOrEqual(1e-6);
    expect(maxRelativeError(got.out.dlogp!, want.out.dlogp!, abs(want.out.dlogp!))).toBeLessThanOrEqual(1e-7);
  });

  it.each(LENGTHS)('axpy on %i elements', (length) => {
    const rng = new Rng(length + 63);
    const arrays = { x: randomArray(rng, length), y: randomArray(rng, length) };
    const magnitude = arrays.y.map((v, i) => Math.abs(v) + 0.3 * Math.abs(arrays.x[i]!));
    const { got, want } = againstJs64(backend, arrays, (b, s) => getKernel('axpy', b.name)(b, { x: s.x!, y: s.y!, alpha: -0.3 }));
    expect(maxRelativeError(got.out.y!, want.out.y!, magnitude)).toBeLessThanOrEqual(TOL);
  });
});

describe('the js backend in float64 against hand-computed values', () => {
  const f64 = (values: ArrayLike<number>) => js.upload(Float64Array.from(values));
  const read = (s: Storage) => Array.from(js.view(s));
  const kernel = <K extends KernelName>(name: K) => getKernel(name, 'js');

  it('unary ops at known points; relu keeps NaN', () => {
    const x = [-2, 0, 0.5, Math.LN2];
    const expected: Record<UnaryOp, number[]> = {
      neg: [2, -0, -0.5, -Math.LN2],
      exp: [Math.exp(-2), 1, Math.sqrt(Math.E), 2],
      log: [Number.NaN, -Infinity, -Math.LN2, Math.log(Math.LN2)],
      sqrt: [Number.NaN, 0, Math.SQRT1_2, Math.sqrt(Math.LN2)],
      relu: [0, 0, 0.5, Math.LN2],
      tanh: [Math.tanh(-2), 0, Math.tanh(0.5), 0.6],
      sigmoid: [1 / (1 + Math.exp(2)), 0.5, 1 / (1 + Math.exp(-0.5)), 2 / 3],
    };
    for (const op of UNARY_OPS) {
      const out = js.allocate(4, 'float64');
      kernel('unary')(js, { op, x: f64(x), out });
      read(out).forEach((v, i) => {
        const want = expected[op][i]!;
        if (Number.isFinite(want)) expect(v, `${op}(${x[i]})`).toBeCloseTo(want, 14);
        else expect(v, `${op}(${x[i]})`).toBe(want); // NaN and −∞ exactly
      });
    }
    const out = js.allocate(1, 'float64');
    kernel('unary')(js, { op: 'relu', x: f64([Number.NaN]), out });
    expect(read(out)[0]).toBeNaN();
  });

  it("unaryBackward is each op's derivative times dout", () => {
    const x = [0.3, 1.7];
    const dout = [2, -3];
    const derivative: Record<UnaryOp, (v: number) => number> = {
      neg: () => -1,
      exp: Math.exp,
      log: (v) => 1 / v,
      sqrt: (v) => 0.5 / Math.sqrt(v),
      relu: (v) => Number(v > 0),
      tanh: (v) => 1 - Math.tanh(v) ** 2,
      sigmoid: (v) => Math.exp(-v) / (1 + Math.exp(-v)) ** 2,
    };
    for (const op of UNARY_OPS) {
      const y = js.allocate(2, 'float64');
      kernel('unary')(js, { op, x: f64(x), out: y });
      const dx = js.allocate(2, 'float64');
      kernel('unaryBackward')(js, { op, x: f64(x), y, dout: f64(dout), dx });
      read(dx).forEach((v, i) => expect(v, op).toBeCloseTo(dout[i]! * derivative[op](x[i]!), 13));
    }
  });

  it('binary broadcasts a column against a row and reads transposed views', () => {
    const out = js.allocate(6, 'float64');
    kernel('binary')(js, { op: 'sub', shape: [2, 3], a: f64([10, 20]), aStrides: [1, 0], b: f64([1, 2, 3]), bStrides: [0, 1], out });
    expect(read(out)).toEqual([9, 8, 7, 19, 18, 17]);
    // a = [[1,2],[3,4],[5,6]] read transposed as [2,3]; b a scalar.
    kernel('binary')(js, { op: 'div', shape: [2, 3], a: f64([1, 2, 3, 4, 5, 6]), aStrides: [1, 2], b: f64([2]), bStrides: [0, 0], out });
    expect(read(out)).toEqual([0.5, 1.5, 2.5, 1, 2, 3]);
  });

  it('copy makes a transpose and a broadcast contiguous', () => {
    const out = js.allocate(6, 'float64');
    kernel('copy')(js, { shape: [3, 2], x: f64([1, 2, 3, 4, 5, 6]), strides: [1, 3], out });
    expect(read(out)).toEqual([1, 4, 2, 5, 3, 6]);
    kernel('copy')(js, { shape: [2, 3], x: f64([7, 8, 9]), strides: [0, 1], out });
    expect(read(out)).toEqual([7, 8, 9, 7, 8, 9]);
  });

  it('reduceSum over each axis set of a [2,2,3] tensor, with beta', () => {
    const x = f64([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const sum = (axes: boolean[], n: number, beta = 0, init = Number.NaN) => {
      const out = f64(new Array(n).fill(init));
      kernel('reduceSum')(js, { x, shape: [2, 2, 3], axes, out, beta });
      return read(out);
    };
    expect(sum([true, false, false], 6)).toEqual([8, 10, 12, 14, 16, 18]);
    expect(sum([false, true, false], 6)).toEqual([5, 7, 9, 17, 19, 21]);
    expect(sum([false, false, true], 4)).toEqual([6, 15, 24, 33]);
    expect(sum([true, false, true], 2)).toEqual([30, 48]);
    expect(sum([true, true, true], 1)).toEqual([78]);
    expect(sum([false, false, false], 12, 2, 1)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
  });

  it('maxAlong takes the first of tied maxima, lets NaN win, and its backward routes dout there', () => {
    // [2, 3, 2]: columns (1,5,5) and (2,NaN,9) in the first block, (3,3,−1) and (NaN,NaN,0) in the second.
    const x = f64([1, 2, 5, Number.NaN, 5, 9, 3, Number.NaN, 3, Number.NaN, -1, 0]);
    const out = js.allocate(4, 'float64');
    const indices = new Int32Array(4);
    kernel('maxAlong')(js, { x, outer: 2, size: 3, inner: 2, out, indices });
    expect(read(out)).toEqual([5, Number.NaN, 3, Number.NaN]);
    expect(Array.from(indices)).toEqual([1, 1, 0, 0]);
    const dx = f64(new Array(12).fill(9));
    kernel('maxAlongBackward')(js, { dout: f64([10, 20, 30, 40]), indices, outer: 2, size: 3, inner: 2, dx });
    expect(read(dx)).toEqual([0, 0, 10, 20, 0, 0, 30, 40, 0, 0, 0, 0]);
  });

  it('logSoftmax is x − ln Σ eˣ without overflow; its backward is dout − p·Σdout; nllLoss picks the labels', () => {
    const out = js.allocate(3, 'float64');
    kernel('logSoftmax')(js, { x: f64([0, Math.log(2), Math.log(5)]), out, rows: 1, cols: 3 });
    read(out).forEach((v, i) => expect(v).toBeCloseTo(Math.log([1, 2, 5][i]! / 8), 14));
    const huge = js.allocate(2, 'float64');
    kernel('logSoftmax')(js, { x: f64([1000, 1000]), out: huge, rows: 1, cols: 2 });
    expect(read(huge)).toEqual([-Math.LN2, -Math.LN2]);

    const dx = js.allocate(3, 'float64');
    kernel('logSoftmaxBackward')(js, { y: out, dout: f64([1, 0, 2]), dx, rows: 1, cols: 3 });
    read(dx).forEach((v, i) => expect(v).toBeCloseTo([1, 0, 2][i]! - 3 * ([1, 2, 5][i]! / 8), 14));

    const logp = f64([Math.log(0.25), Math.log(0.75), Math.log(0.5), Math.log(0.5)]);
    const loss = kernel('nllLoss')(js, { logp, labels: Int32Array.of(1, 0), rows: 2, cols: 2 });
    expect(loss).toBeCloseTo(-(Math.log(0.75) + Math.log(0.5)) / 2, 15);
    const dlogp = f64([7, 7, 7, 7]);
    kernel('nllLossBackward')(js, { labels: Int32Array.of(1, 0), rows: 2, cols: 2, scale: 3, dlogp });
    expect(read(dlogp)).toEqual([0, -1.5, -1.5, 0]);
  });

  it('axpy accumulates alpha·x into y', () => {
    const y = f64([1, 2, 3]);
    kernel('axpy')(js, { x: f64([10, 20, 30]), y, alpha: 0.5 });
    expect(read(y)).toEqual([6, 12, 18]);
  });
});

/** A kernel call that must fail: the js backend's error class, and the message every backend gives. */
interface BadCall {
  what: string;
  call: (b: Backend, alloc: (n: number) => Storage) => unknown;
  error: typeof ShapeError | typeof ArgumentError;
  message: string | RegExp;
}

const binaryArgs = (n: (len: number) => Storage) => ({
  op: 'add' as BinaryOp, shape: [2, 3], a: n(6), aStrides: [3, 1], b: n(3), bStrides: [0, 1], out: n(6),
});

const BAD_CALLS: BadCall[] = [
  {
    what: 'unary out',
    call: (b, n) => getKernel('unary', b.name)(b, { op: 'exp', x: n(4), out: n(3) }),
    error: ShapeError,
    message: 'unary: out should hold 4 elements (as many as x) but holds 3',
  },
  {
    what: 'unary op',
    call: (b, n) => getKernel('unary', b.name)(b, { op: 'abs' as UnaryOp, x: n(4), out: n(4) }),
    error: ArgumentError,
    message: "unary: op 'abs' is not one of neg, exp, log, sqrt, relu, tanh, sigmoid",
  },
  {
    what: 'unaryBackward y',
    call: (b, n) => getKernel('unaryBackward', b.name)(b, { op: 'tanh', x: n(4), y: n(5), dout: n(4), dx: n(4) }),
    error: ShapeError,
    message: 'unaryBackward: y should hold 4 elements (as many as x) but holds 5',
  },
  {
    what: 'unaryBackward dx = y',
    call: (b, n) => {
      const y = n(4);
      return getKernel('unaryBackward', b.name)(b, { op: 'exp', x: n(4), y, dout: n(4), dx: y });
    },
    error: ArgumentError,
    message: /^unaryBackward: dx .*overlaps y; the output must be a separate buffer$/,
  },
  {
    what: 'binary out',
    call: (b, n) => getKernel('binary', b.name)(b, { ...binaryArgs(n), out: n(5) }),
    error: ShapeError,
    message: 'binary: out should hold 6 elements (shape [2,3]) but holds 5',
  },
  {
    what: 'binary op',
    call: (b, n) => getKernel('binary', b.name)(b, { ...binaryArgs(n), op: 'pow' as BinaryOp }),
    error: ArgumentError,
    message: "binary: op 'pow' is not one of add, sub, mul, div",
  },
  {
    what: 'binary bStrides count',
    call: (b, n) => getKernel('binary', b.name)(b, { ...binaryArgs(n), bStrides: [1] }),
    error: ShapeError,
    message: 'binary: bStrides should hold 2 entries (one per axis of shape [2,3]) but holds 1',
  },
  {
    what: 'binary b too short for its view',
    call: (b, n) => getKernel('binary', b.name)(b, { ...binaryArgs(n), b: n(2) }),
    error: ShapeError,
    message: 'binary: b should hold at least 3 elements (shape [2,3] read through bStrides [0,1]) but holds 2',
  },
  {
    what: 'binary negative stride',
    call: (b, n) => getKernel('binary', b.name)(b, { ...binaryArgs(n), aStrides: [-3, 1] }),
    error: ArgumentError,
    message: 'binary: aStrides[0] = -3 is not a non-negative integer',
  },
  {
    what: 'binary fractional shape',
    call: (b, n) => getKernel('binary', b.name)(b, { ...binaryArgs(n), shape: [2, 1.5] }),
    error: ArgumentError,
    message: 'binary: shape[1] = 1.5 is not a non-negative integer',
  },
  {
    what: 'binary in place on a transposed a',
    call: (b, n) => {
      const a = n(4);
      return getKernel('binary', b.name)(b, { op: 'mul', shape: [2, 2], a, aStrides: [1, 2], b: n(1), bStrides: [0, 0], out: a });
    },
    error: ArgumentError,
    message: 'binary: out is a, which needs aStrides row-major for shape [2,2] but they are [1,2]',
  },
  {
    what: 'copy x too short for its view',
    call: (b, n) => getKernel('copy', b.name)(b, { shape: [2, 3], x: n(5), strides: [1, 2], out: n(6) }),
    error: ShapeError,
    message: 'copy: x should hold at least 6 elements (shape [2,3] read through strides [1,2]) but holds 5',
  },
  {
    what: 'copy out = x',
    call: (b, n) => {
      const x = n(6);
      return getKernel('copy', b.name)(b, { shape: [2, 3], x, strides: [3, 1], out: x });
    },
    error: ArgumentError,
    message: /^copy: out .*overlaps x; the output must be a separate buffer$/,
  },
  {
    what: 'reduceSum axes count',
    call: (b, n) => getKernel('reduceSum', b.name)(b, { x: n(6), shape: [2, 3], axes: [true, false, true], out: n(3), beta: 0 }),
    error: ShapeError,
    message: 'reduceSum: axes should hold 2 entries (one per axis of shape [2,3]) but holds 3',
  },
  {
    what: 'reduceSum out',
    call: (b, n) => getKernel('reduceSum', b.name)(b, { x: n(6), shape: [2, 3], axes: [true, false], out: n(2), beta: 0 }),
    error: ShapeError,
    message: 'reduceSum: out should hold 3 elements (shape [3]) but holds 2',
  },
  {
    what: 'reduceSum x',
    call: (b, n) => getKernel('reduceSum', b.name)(b, { x: n(7), shape: [2, 3], axes: [true, true], out: n(1), beta: 0 }),
    error: ShapeError,
    message: 'reduceSum: x should hold 6 elements (shape [2,3]) but holds 7',
  },
  {
    what: 'maxAlong x',
    call: (b, n) => getKernel('maxAlong', b.name)(b, { x: n(23), outer: 2, size: 3, inner: 4, out: n(8), indices: new Int32Array(8) }),
    error: ShapeError,
    message: 'maxAlong: x should hold 2x3x4 = 24 elements but holds 23',
  },
  {
    what: 'maxAlong indices',
    call: (b, n) => getKernel('maxAlong', b.name)(b, { x: n(24), outer: 2, size: 3, inner: 4, out: n(8), indices: new Int32Array(7) }),
    error: ShapeError,
    message: 'maxAlong: indices should hold 2x4 = 8 elements but holds 7',
  },
  {
    what: 'maxAlong over an empty axis',
    call: (b, n) => getKernel('maxAlong', b.name)(b, { x: n(0), outer: 2, size: 0, inner: 1, out: n(2), indices: new Int32Array(2) }),
    error: ArgumentError,
    message: 'maxAlong: size is 0, so there is no maximum to take',
  },
  {
    what: 'maxAlongBackward index out of range',
    call: (b, n) =>
      getKernel('maxAlongBackward', b.name)(b, { dout: n(2), indices: Int32Array.of(0, 3), outer: 2, size: 3, inner: 1, dx: n(6) }),
    error: ArgumentError,
    message: 'maxAlongBackward: indices[1] = 3 is not an index in 0..2',
  },
  {
    what: 'maxAlongBackward dx',
    call: (b, n) =>
      getKernel('maxAlongBackward', b.name)(b, { dout: n(2), indices: Int32Array.of(0, 1), outer: 2, size: 3, inner: 1, dx: n(5) }),
    error: ShapeError,
    message: 'maxAlongBackward: dx should hold 2x3x1 = 6 elements but holds 5',
  },
  {
    what: 'logSoftmax out',
    call: (b, n) => getKernel('logSoftmax', b.name)(b, { x: n(6), out: n(5), rows: 2, cols: 3 }),
    error: ShapeError,
    message: 'logSoftmax: out should hold 2x3 = 6 elements but holds 5',
  },
  {
    what: 'logSoftmax out = x',
    call: (b, n) => {
      const x = n(6);
      return getKernel('logSoftmax', b.name)(b, { x, out: x, rows: 2, cols: 3 });
    },
    error: ArgumentError,
    message: /^logSoftmax: out .*overlaps x; the output must be a separate buffer$/,
  },
  {
    what: 'logSoftmaxBackward dout',
    call: (b, n) => getKernel('logSoftmaxBackward', b.name)(b, { y: n(6), dout: n(7), dx: n(6), rows: 2, cols: 3 }),
    error: ShapeError,
    message: 'logSoftmaxBackward: dout should hold 2x3 = 6 elements but holds 7',
  },
  {
    what: 'nllLoss labels length',
    call: (b, n) => getKernel('nllLoss', b.name)(b, { logp: n(6), labels: Int32Array.of(0), rows: 2, cols: 3 }),
    error: ShapeError,
    message: 'nllLoss: labels should hold 2 elements (rows) but holds 1',
  },
  {
    what: 'nllLoss label value',
    call: (b, n) => getKernel('nllLoss', b.name)(b, { logp: n(6), labels: Int32Array.of(1, 3), rows: 2, cols: 3 }),
    error: ArgumentError,
    message: 'nllLoss: labels[1] = 3 is not a class index in 0..2',
  },
  {
    what: 'nllLossBackward dlogp',
    call: (b, n) => getKernel('nllLossBackward', b.name)(b, { labels: Int32Array.of(0, 1), rows: 2, cols: 3, scale: 1, dlogp: n(5) }),
    error: ShapeError,
    message: 'nllLossBackward: dlogp should hold 2x3 = 6 elements but holds 5',
  },
  {
    what: 'axpy y',
    call: (b, n) => getKernel('axpy', b.name)(b, { x: n(4), y: n(3), alpha: 1 }),
    error: ShapeError,
    message: 'axpy: y should hold 4 elements (as many as x) but holds 3',
  },
  {
    what: 'axpy y = x',
    call: (b, n) => {
      const x = n(4);
      return getKernel('axpy', b.name)(b, { x, y: x, alpha: 1 });
    },
    error: ArgumentError,
    message: /^axpy: y .*overlaps x; the output must be a separate buffer$/,
  },
];

describe.each(['js', 'native', 'wasm'] as const)('autograd kernel argument errors on %s', (name) => {
  const backend = getBackend(name);
  const alloc = (n: number) => backend.allocate(n, 'float32');

  it.each(BAD_CALLS.map((c) => [c.what, c] as const))('%s: the message names the kernel and the argument', (_what, c) => {
    expect(() => c.call(backend, alloc)).toThrow(c.message);
    expect(() => c.call(backend, alloc)).toThrow(c.error);
  });

  it('writes nothing when a label or an index is out of range', () => {
    const dlogp = backend.upload(new Float32Array(6).fill(7));
    expect(() =>
      getKernel('nllLossBackward', name)(backend, { labels: Int32Array.of(0, -1), rows: 2, cols: 3, scale: 1, dlogp }),
    ).toThrow('labels[1] = -1');
    expect(Array.from(backend.view(dlogp))).toEqual([7, 7, 7, 7, 7, 7]);
    const dx = backend.upload(new Float32Array(6).fill(7));
    expect(() =>
      getKernel('maxAlongBackward', name)(backend, { dout: alloc(2), indices: Int32Array.of(-1, 0), outer: 2, size: 3, inner: 1, dx }),
    ).toThrow('indices[0] = -1');
    expect(Array.from(backend.view(dx))).toEqual([7, 7, 7, 7, 7, 7]);
  });
});
