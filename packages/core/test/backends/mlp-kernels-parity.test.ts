/**
 * The MLP kernels (biasAdd … sgdUpdate) on native, wasm (SIMD build) and wasm (scalar build)
 * against the js backend run in float64 on the same seeded inputs, on many shapes and the
 * in-place variants: within 1e-5 relative (losses 1e-6). Then the js backend itself against
 * closed forms and finite differences, and every backend's argument errors.
 * Both fast backends must load: the test command builds them first.
 */

import { describe, expect, it } from 'vitest';
import { getBackend, getKernel, gradcheck, Rng, type Backend, type Storage } from '../../src/index.js';
import { loadWasmKernelsSync } from '../../src/backends/wasm/load-node.js';
import { WasmBackend, type WasmStorage } from '../../src/backends/wasm/wasm-backend.js';
import type { NativeBackend } from '../../src/backends/native/native-backend.js';
import { againstJs64, maxRelativeError, randomArray, type KernelStorages } from './helpers.js';

const js = getBackend('js');

/** The fast backends, each with a label: the wasm scalar build runs the kernels' scalar path. */
const FAST: Array<[string, () => Backend]> = [
  ['native', () => getBackend('native')],
  ['wasm', () => getBackend('wasm')],
  ['wasm scalar', () => new WasmBackend(loadWasmKernelsSync({ variant: 'scalar' }))],
];

/** rows×cols: single elements, partial vectors, the MLP's 200×10 and 200×100, long rows. */
const SHAPES: Array<[number, number]> = [[1, 1], [1, 7], [3, 8], [2, 9], [5, 33], [200, 10], [200, 100], [3, 1000], [2, 3072]];
/** Elementwise lengths around the vector widths (4, 8) and large ones. */
const LENGTHS = [1, 7, 8, 9, 33, 1000, 3072];

const both = againstJs64;
type Storages = KernelStorages;

const scaled = (a: Float32Array, k: number) => a.map((v) => v * k);
const abs = (a: ArrayLike<number>) => Float64Array.from(a, Math.abs);
const labelsFor = (rng: Rng, rows: number, cols: number) => Int32Array.from({ length: rows }, () => rng.nextInt(cols));
const relative = (got: number, want: number) => Math.abs(got - want) / Math.max(Math.abs(want), 1e-300);

describe.each(FAST)('MLP kernels on %s match js in float64', (_label, make) => {
  const backend = make();

  it.each(SHAPES)('biasAdd %ix%i, and in place', (rows, cols) => {
    const rng = new Rng(rows * 1000 + cols);
    const arrays = { x: randomArray(rng, rows * cols), bias: randomArray(rng, cols), out: new Float32Array(rows * cols) };
    const magnitude = arrays.x.map((v, i) => Math.abs(v) + Math.abs(arrays.bias[i % cols]!));
    const call = (out: 'out' | 'x') => (b: Backend, s: Storages) =>
      getKernel('biasAdd', b.name)(b, { x: s.x!, bias: s.bias!, out: s[out]!, rows, cols });
    const { got, want } = both(backend, arrays, call('out'));
    expect(maxRelativeError(got.out.out!, want.out.out!, magnitude)).toBeLessThanOrEqual(1e-5);
    const inPlace = both(backend, arrays, call('x'));
    expect(maxRelativeError(inPlace.got.out.x!, want.out.out!, magnitude)).toBeLessThanOrEqual(1e-5);
  });

  it.each(SHAPES)('columnSum %ix%i with beta 0, 1 and -0.5', (rows, cols) => {
    for (const beta of [0, 1, -0.5]) {
      const rng = new Rng(rows * 1000 + cols + 1);
      const arrays = { x: randomArray(rng, rows * cols), out: randomArray(rng, cols) };
      const magnitude = abs(arrays.out).map((v) => Math.abs(beta) * v);
      arrays.x.forEach((v, i) => (magnitude[i % cols]! += Math.abs(v)));
      const { got, want } = both(backend, arrays, (b, s) => getKernel('columnSum', b.name)(b, { x: s.x!, out: s.out!, rows, cols, beta }));
      expect(maxRelativeError(got.out.out!, want.out.out!, magnitude)).toBeLessThanOrEqual(1e-5);
    }
  });

  it.each(SHAPES)('softmax %ix%i', (rows, cols) => {
    const rng = new Rng(rows * 1000 + cols + 4);
    const arrays = { x: scaled(randomArray(rng, rows * cols), 5), out: new Float32Array(rows * cols) };
    const { got, want } = both(backend, arrays, (b, s) => getKernel('softmax', b.name)(b, { x: s.x!, out: s.out!, rows, cols }));
    expect(maxRelativeError(got.out.out!, want.out.out!, want.out.out!)).toBeLessThanOrEqual(1e-5);
  });

  it.each(SHAPES)('softmaxBackward %ix%i', (rows, cols) => {
    const rng = new Rng(rows * 1000 + cols + 5);
    const s = new Float32Array(rows * cols);
    const logits = js.upload(scaled(randomArray(rng, rows * cols), 3));
    const probs = js.allocate(rows * cols, 'float32');
    getKernel('softmax', 'js')(js, { x: logits, out: probs, rows, cols });
    s.set(js.view(probs));
    const arrays = { s, dout: randomArray(rng, rows * cols), dx: new Float32Array(rows * cols) };
    const { got, want } = both(backend, arrays, (b, st) =>
      getKernel('softmaxBackward', b.name)(b, { s: st.s!, dout: st.dout!, dx: st.dx!, rows, cols }),
    );
    // dx = s·(dout − dot) cancels where dout ≈ dot: judge it against s·(|dout| + Σ|dout·s|).
    const magnitude = new Float64Array(rows * cols);
    for (let r = 0; r < rows; r++) {
      let dot = 0;
      for (let c = 0; c < cols; c++) dot += Math.abs(arrays.dout[r * cols + c]! * s[r * cols + c]!);
      for (let c = 0; c < cols; c++) magnitude[r * cols + c] = s[r * cols + c]! * (Math.abs(arrays.dout[r * cols + c]!) + dot);
    }
    expect(maxRelativeError(got.out.dx!, want.out.dx!, magnitude)).toBeLessThanOrEqual(1e-5);
  });

  it.each(SHAPES)('crossEntropy and crossEntropyBackward %ix%i, soft targets with zeros', (rows, cols) => {
    const rng = new Rng(rows * 1000 + cols + 6);
    const probs = randomArray(rng, rows * cols).map((v) => 0.01 + Math.abs(v));
    const targets = randomArray(rng, rows * cols).map((v) => Math.max(v, 0));
    targets[0] = 1; // at least one term
    const arrays = { probs, targets, dprobs: new Float32Array(rows * cols) };
    const { got, want } = both(backend, arrays, (b, s) => {
      const loss = getKernel('crossEntropy', b.name)(b, { probs: s.probs!, targets: s.targets!, rows, cols });
      getKernel('crossEntropyBackward', b.name)(b, { probs: s.probs!, targets: s.targets!, dprobs: s.dprobs!, rows, cols });
      return loss;
    });
    expect(relative(got.result, want.result)).toBeLessThanOrEqual(1e-6);
    expect(maxRelativeError(got.out.dprobs!, want.out.dprobs!, abs(want.out.dprobs!))).toBeLessThanOrEqual(1e-5);
  });

  it.each(SHAPES)('softmaxCrossEntropy %ix%i with and without dlogits and probs', (rows, cols) => {
    const rng = new Rng(rows * 1000 + cols + 7);
    const labels = labelsFor(rng, rows, cols);
    const logits = scaled(randomArray(rng, rows * cols), 5);
    const arrays = { logits, dlogits: new Float32Array(rows * cols), probs: new Float32Array(rows * cols) };
    const { got, want } = both(backend, arrays, (b, s) =>
      getKernel('softmaxCrossEntropy', b.name)(b, { logits: s.logits!, labels, rows, cols, dlogits: s.dlogits!, probs: s.probs! }),
    );
    expect(relative(got.result, want.result)).toBeLessThanOrEqual(1e-6);
    expect(maxRelativeError(got.out.probs!, want.out.probs!, want.out.probs!)).toBeLessThanOrEqual(1e-5);
    // (p + onehot)/rows: the scale of dlogits, which cancels at the label when p ≈ 1.
    const magnitude = want.out.probs!.map((p, i) => (p + Number(labels[Math.floor(i / cols)] === i % cols)) / rows);
    expect(maxRelativeError(got.out.dlogits!, want.out.dlogits!, magnitude)).toBeLessThanOrEqual(1e-5);

    const lossOnly = both(backend, arrays, (b, s) =>
      getKernel('softmaxCrossEntropy', b.name)(b, { logits: s.logits!, labels, rows, cols }),
    );
    expect(relative(lossOnly.got.result, want.result)).toBeLessThanOrEqual(1e-6);
    const gradOnly = both(backend, arrays, (b, s) =>
      getKernel('softmaxCrossEntropy', b.name)(b, { logits: s.logits!, labels, rows, cols, dlogits: s.dlogits! }),
    );
    expect(maxRelativeError(gradOnly.got.out.dlogits!, want.out.dlogits!, magnitude)).toBeLessThanOrEqual(1e-5);
  });

  it.each(LENGTHS)('sgdUpdate on %i elements', (length) => {
    const rng = new Rng(length + 8);
    const arrays = { param: randomArray(rng, length), grad: randomArray(rng, length) };
    const magnitude = arrays.param.map((p, i) => Math.abs(p) + 0.05 * Math.abs(arrays.grad[i]!));
    const { got, want } = both(backend, arrays, (b, s) => getKernel('sgdUpdate', b.name)(b, { param: s.param!, grad: s.grad!, lr: 0.05 }));
    expect(maxRelativeError(got.out.param!, want.out.param!, magnitude)).toBeLessThanOrEqual(1e-5);
  });
});

describe('the js backend in float64 against closed forms', () => {
  const f64 = (values: ArrayLike<number>) => js.upload(Float64Array.from(values));
  const read = (s: Storage) => Array.from(js.view(s));

  it('biasAdd broadcasts the bias over rows; columnSum sums columns and honours beta', () => {
    const out = js.allocate(6, 'float64');
    getKernel('biasAdd', 'js')(js, { x: f64([1, 2, 3, 4, 5, 6]), bias: f64([10, 20, 30]), out, rows: 2, cols: 3 });
    expect(read(out)).toEqual([11, 22, 33, 14, 25, 36]);
    const sums = f64([Number.NaN, 1, 2]);
    getKernel('columnSum', 'js')(js, { x: f64([1, 2, 3, 4, 5, 6]), out: sums, rows: 2, cols: 3, beta: 0 });
    expect(read(sums)).toEqual([5, 7, 9]); // beta = 0 ignores the NaN
    getKernel('columnSum', 'js')(js, { x: f64([1, 2, 3, 4, 5, 6]), out: sums, rows: 2, cols: 3, beta: 1 });
    expect(read(sums)).toEqual([10, 14, 18]);
  });

  it('softmax rows sum to 1, keep their order, ignore a shift and survive huge logits', () => {
    const rng = new Rng(21);
    const logits = Float64Array.from(randomArray(rng, 4 * 7), (v) => v * 10);
    const out = js.allocate(28, 'float64');
    getKernel('softmax', 'js')(js, { x: js.upload(logits), out, rows: 4, cols: 7 });
    const p = read(out);
    for (let r = 0; r < 4; r++) {
      const row = p.slice(r * 7, r * 7 + 7);
      expect(Math.abs(row.reduce((a, b) => a + b) - 1)).toBeLessThan(1e-14);
      const argmax = (xs: ArrayLike<number>) => Array.from(xs).indexOf(Math.max(...Array.from(xs)));
      expect(argmax(row)).toBe(argmax(logits.subarray(r * 7, r * 7 + 7)));
    }
    const shifted = js.allocate(28, 'float64');
    getKernel('softmax', 'js')(js, { x: js.upload(logits.map((v) => v + 1000)), out: shifted, rows: 4, cols: 7 });
    expect(gradcheck.relativeError(read(shifted), p)).toBeLessThan(1e-12);
    const huge = js.allocate(3, 'float64');
    getKernel('softmax', 'js')(js, { x: f64([1e300, 1e300, -1e300]), out: huge, rows: 1, cols: 3 });
    expect(read(huge)).toEqual([0.5, 0.5, 0]);
  });

  it("softmaxBackward is the softmax Jacobian's transpose times dout", () => {
    const rng = new Rng(22);
    const [rows, cols] = [3, 5];
    const s = js.allocate(rows * cols, 'float64');
    getKernel('softmax', 'js')(js, { x: js.upload(Float64Array.from(randomArray(rng, rows * cols))), out: s, rows, cols });
    const dout = Float64Array.from(randomArray(rng, rows * cols));
    const dx = js.allocate(rows * cols, 'float64');
    getKernel('softmaxBackward', 'js')(js, { s, dout: js.upload(dout), dx, rows, cols });
    const sv = read(s);
    const want: number[] = [];
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < cols; i++) {
        // ∂s_j/∂x_i = s_j(δ_ij − s_i), so dx_i = Σ_j dout_j·s_j(δ_ij − s_i).
        let sum = 0;
        for (let j = 0; j < cols; j++) sum += dout[r * cols + j]! * sv[r * cols + j]! * (Number(i === j) - sv[r * cols + i]!);
        want.push(sum);
      }
    }
    expect(gradcheck.relativeError(read(dx), want)).toBeLessThan(1e-12);
  });

  it('crossEntropy is −mean ln p[label] for one-hot targets, skips t = 0 even at p = 0, and its backward is its gradient', () => {
    const probs = Float64Array.of(0.2, 0.8, 0, 0.5, 0.25, 0.25);
    const targets = Float64Array.of(0, 1, 0, 0, 0.5, 0.5);
    const loss = getKernel('crossEntropy', 'js')(js, { probs: js.upload(probs), targets: js.upload(targets), rows: 2, cols: 3 });
    expect(loss).toBeCloseTo(-(Math.log(0.8) + 0.5 * Math.log(0.25) + 0.5 * Math.log(0.25)) / 2, 15);

    const p = Float64Array.of(0.2, 0.7, 0.1, 0.3, 0.3, 0.4);
    const dprobs = js.allocate(6, 'float64');
    getKernel('crossEntropyBackward', 'js')(js, { probs: js.upload(p), targets: js.upload(targets), dprobs, rows: 2, cols: 3 });
    const ps = js.upload(p);
    const live = js.view(ps);
    const numeric = gradcheck.numericalGradient(
      () => getKernel('crossEntropy', 'js')(js, { probs: ps, targets: js.upload(targets), rows: 2, cols: 3 }),
      live,
    );
    expect(gradcheck.relativeError(read(dprobs), numeric)).toBeLessThan(1e-8);
  });

  it('softmaxCrossEntropy equals softmax then crossEntropy, and its dlogits are (softmax − onehot)/rows, the loss gradient', () => {
    const rng = new Rng(23);
    const [rows, cols] = [4, 6];
    const logits = js.upload(Float64Array.from(randomArray(rng, rows * cols), (v) => v * 3));
    const labels = labelsFor(rng, rows, cols);
    const dlogits = js.allocate(rows * cols, 'float64');
    const probs = js.allocate(rows * cols, 'float64');
    const loss = getKernel('softmaxCrossEntropy', 'js')(js, { logits, labels, rows, cols, dlogits, probs });

    const s = js.allocate(rows * cols, 'float64');
    getKernel('softmax', 'js')(js, { x: logits, out: s, rows, cols });
    const oneHot = new Float64Array(rows * cols);
    labels.forEach((l, r) => (oneHot[r * cols + l] = 1));
    const composed = getKernel('crossEntropy', 'js')(js, { probs: s, targets: js.upload(oneHot), rows, cols });
    expect(relative(loss, composed)).toBeLessThan(1e-14);
    expect(gradcheck.relativeError(read(probs), read(s))).toBeLessThan(1e-14);
    const closedForm = read(s).map((p, i) => (p - oneHot[i]!) / rows);
    expect(gradcheck.relativeError(read(dlogits), closedForm)).toBeLessThan(1e-14);

    const numeric = gradcheck.numericalGradient(
      () => getKernel('softmaxCrossEntropy', 'js')(js, { logits, labels, rows, cols }),
      js.view(logits),
    );
    expect(gradcheck.relativeError(read(dlogits), numeric)).toBeLessThan(1e-7);
  });

  it('sgdUpdate steps against the gradient', () => {
    const param = f64([1, -2, 0.5]);
    getKernel('sgdUpdate', 'js')(js, { param, grad: f64([10, -4, 0]), lr: 0.25 });
    expect(read(param)).toEqual([-1.5, -1, 0.5]);
  });
});

/** A kernel called with one argument of the wrong length, and the message every backend must give. */
interface BadCall {
  what: string;
  call: (b: Backend, alloc: (n: number) => Storage) => unknown;
  message: string;
}

const BAD_CALLS: BadCall[] = [
  {
    what: 'biasAdd bias',
    call: (b, n) => getKernel('biasAdd', b.name)(b, { x: n(6), bias: n(2), out: n(6), rows: 2, cols: 3 }),
    message: 'biasAdd: bias should hold 3 elements (cols) but holds 2',
  },
  {
    what: 'biasAdd out',
    call: (b, n) => getKernel('biasAdd', b.name)(b, { x: n(6), bias: n(3), out: n(5), rows: 2, cols: 3 }),
    message: 'biasAdd: out should hold 2x3 = 6 elements but holds 5',
  },
  {
    what: 'columnSum out',
    call: (b, n) => getKernel('columnSum', b.name)(b, { x: n(6), out: n(2), rows: 2, cols: 3, beta: 0 }),
    message: 'columnSum: out should hold 3 elements (cols) but holds 2',
  },
  {
    what: 'elu out',
    call: (b, n) => getKernel('elu', b.name)(b, { x: n(4), out: n(3), alpha: 1 }),
    message: 'elu: out should hold 4 elements (as many as x) but holds 3',
  },
  {
    what: 'eluBackward dout',
    call: (b, n) => getKernel('eluBackward', b.name)(b, { x: n(4), dout: n(5), dx: n(4), alpha: 1 }),
    message: 'eluBackward: dout should hold 4 elements (as many as x) but holds 5',
  },
  {
    what: 'softmax x',
    call: (b, n) => getKernel('softmax', b.name)(b, { x: n(7), out: n(6), rows: 2, cols: 3 }),
    message: 'softmax: x should hold 2x3 = 6 elements but holds 7',
  },
  {
    what: 'softmaxBackward dx',
    call: (b, n) => getKernel('softmaxBackward', b.name)(b, { s: n(6), dout: n(6), dx: n(4), rows: 2, cols: 3 }),
    message: 'softmaxBackward: dx should hold 2x3 = 6 elements but holds 4',
  },
  {
    what: 'crossEntropy targets',
    call: (b, n) => getKernel('crossEntropy', b.name)(b, { probs: n(6), targets: n(5), rows: 2, cols: 3 }),
    message: 'crossEntropy: targets should hold 2x3 = 6 elements but holds 5',
  },
  {
    what: 'crossEntropyBackward dprobs',
    call: (b, n) => getKernel('crossEntropyBackward', b.name)(b, { probs: n(6), targets: n(6), dprobs: n(3), rows: 2, cols: 3 }),
    message: 'crossEntropyBackward: dprobs should hold 2x3 = 6 elements but holds 3',
  },
  {
    what: 'softmaxCrossEntropy dlogits',
    call: (b, n) =>
      getKernel('softmaxCrossEntropy', b.name)(b, { logits: n(6), labels: Int32Array.of(0, 2), rows: 2, cols: 3, dlogits: n(5) }),
    message: 'softmaxCrossEntropy: dlogits should hold 2x3 = 6 elements but holds 5',
  },
  {
    what: 'softmaxCrossEntropy labels length',
    call: (b, n) => getKernel('softmaxCrossEntropy', b.name)(b, { logits: n(6), labels: Int32Array.of(0), rows: 2, cols: 3 }),
    message: 'softmaxCrossEntropy: labels should hold 2 elements (rows) but holds 1',
  },
  {
    what: 'softmaxCrossEntropy label value',
    call: (b, n) =>
      getKernel('softmaxCrossEntropy', b.name)(b, { logits: n(6), labels: Int32Array.of(1, 3), rows: 2, cols: 3, probs: n(6) }),
    message: 'softmaxCrossEntropy: labels[1] = 3 is not a class index in 0..2',
  },
  {
    what: 'sgdUpdate grad',
    call: (b, n) => getKernel('sgdUpdate', b.name)(b, { param: n(4), grad: n(3), lr: 0.1 }),
    message: 'sgdUpdate: grad should hold 4 elements (as many as param) but holds 3',
  },
];

describe.each(['js', 'native', 'wasm'] as const)('MLP kernel argument errors on %s', (name) => {
  const backend = getBackend(name);
  const alloc = (n: number) => backend.allocate(n, 'float32');

  it.each(BAD_CALLS.map((c) => [c.what, c] as const))('%s: the message names the argument, word for word as dlp-kernels', (_what, c) => {
    expect(() => c.call(backend, alloc)).toThrow(c.message);
  });

  it('refuses an output that is an input where the kernel cannot run in place', () => {
    const x = alloc(6);
    expect(() => getKernel('softmax', name)(backend, { x, out: x, rows: 2, cols: 3 })).toThrow(
      /^softmax: out .*overlaps x; the output must be a separate buffer$/,
    );
    const p = alloc(4);
    expect(() => getKernel('sgdUpdate', name)(backend, { param: p, grad: p, lr: 1 })).toThrow(/sgdUpdate: param .*overlaps grad/);
    const logits = alloc(6);
    expect(() =>
      getKernel('softmaxCrossEntropy', name)(backend, { logits, labels: Int32Array.of(0, 0), rows: 2, cols: 3, dlogits: logits }),
    ).toThrow(/softmaxCrossEntropy: dlogits .*overlaps logits/);
  });

  it('writes nothing when a label is out of range', () => {
    const dlogits = backend.upload(new Float32Array(6).fill(7));
    expect(() =>
      getKernel('softmaxCrossEntropy', name)(backend, { logits: alloc(6), labels: Int32Array.of(0, -1), rows: 2, cols: 3, dlogits }),
    ).toThrow('labels[1] = -1');
    expect(Array.from(backend.view(dlogits))).toEqual([7, 7, 7, 7, 7, 7]);
  });
});

describe('partly overlapping buffers are refused by every binding', () => {
  it('native: Float32Arrays viewing one buffer at different offsets', () => {
    const binding = (getBackend('native') as NativeBackend).binding;
    const memory = new Float32Array(16);
    expect(() => binding.elu({ x: memory.subarray(0, 8), out: memory.subarray(1, 9), alpha: 1, threads: 1 })).toThrow(
      /^elu: out partly overlaps x; it must be the same buffer \(in place\) or a separate one$/,
    );
    const [x, out] = [memory.subarray(0, 8), memory.subarray(8, 16)];
    expect(() => binding.biasAdd({ x, bias: memory.subarray(6, 8), out, rows: 4, cols: 2 })).not.toThrow(); // inputs may share memory
    expect(() => binding.biasAdd({ x, bias: memory.subarray(8, 10), out, rows: 4, cols: 2 })).toThrow(/biasAdd: out .*overlaps bias/);
  });

  it('wasm: pointers into one allocation', () => {
    const kernels = (getBackend('wasm') as WasmBackend).kernels;
    const ptr = kernels.allocF32(16);
    try {
      const [x, dout] = [{ ptr, length: 8 }, { ptr: ptr + 32, length: 8 }];
      expect(() => kernels.glue.eluBackward({ x, dout, dx: { ptr: ptr + 36, length: 8 }, alpha: 1, threads: 1 })).toThrow(
        /eluBackward: dx partly overlaps dout/,
      );
      expect(() => kernels.glue.eluBackward({ x, dout, dx: { ptr: ptr + 32, length: 8 }, alpha: 1, threads: 1 })).not.toThrow();
    } finally {
      kernels.freeF32(ptr, 16);
    }
  });

  it('js: subarrays of one typed array', () => {
    const memory = new Float32Array(16);
    const view = (start: number, end: number) => ({ array: memory.subarray(start, end), length: end - start, dtype: 'float32' as const });
    expect(() => getKernel('elu', 'js')(js, { x: view(0, 8), out: view(1, 9), alpha: 1 })).toThrow(/elu: out partly overlaps x/);
  });

  it('wasm: a disposed tensor is refused rather than written through', () => {
    const wasm = getBackend('wasm');
    const x = wasm.allocate(4, 'float32') as WasmStorage;
    const out = wasm.allocate(4, 'float32');
    wasm.release(x);
    expect(() => getKernel('elu', 'wasm')(wasm, { x, out, alpha: 1 })).toThrow(/disposed tensor/);
  });
});
