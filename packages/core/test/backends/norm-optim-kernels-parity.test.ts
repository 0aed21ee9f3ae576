/**
 * BatchNorm, LayerNorm, SGD and Adam kernels on native, wasm (SIMD build) and wasm (scalar
 * build) against the js backend in float64 on the same seeded inputs, with and without every
 * optional argument: within 1e-5 relative. Then the js backend itself against PyTorch's
 * float64 fixtures, closed forms and finite differences, and every backend's argument errors.
 * Both fast backends must load: the test command builds them first.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ArgumentError, getBackend, getKernel, gradcheck, Rng, ShapeError, type Backend, type Storage } from '../../src/index.js';
import { loadWasmKernelsSync } from '../../src/backends/wasm/load-node.js';
import { WasmBackend } from '../../src/backends/wasm/wasm-backend.js';
import { againstJs64, maxRelativeError, randomArray, type KernelArrays, type KernelStorages } from './helpers.js';

const js = getBackend('js');

/** The fast backends, each with a label: the wasm scalar build runs the kernels' scalar path. */
const FAST: Array<[string, () => Backend]> = [
  ['native', () => getBackend('native')],
  ['wasm', () => getBackend('wasm')],
  ['wasm scalar', () => new WasmBackend(loadWasmKernelsSync({ variant: 'scalar' }))],
];

/** [outer, channels, inner]: BatchNorm1d ([N, C, 1]) and BatchNorm2d-like ([N, C, H·W]) shapes, odd sizes. */
const BN_SHAPES: Array<[number, number, number]> = [[7, 5, 1], [4, 3, 6], [128, 64, 1], [2, 3, 9], [3, 2, 17], [1, 4, 5], [16, 40, 33]];
/** rows×cols for LayerNorm: one column, partial vectors, the MLP's widths, a long row. */
const LN_SHAPES: Array<[number, number]> = [[3, 1], [7, 5], [4, 18], [5, 33], [128, 64], [2, 3072]];
/** Elementwise lengths around the vector widths (4, 8) and large ones. */
const LENGTHS = [1, 7, 8, 9, 33, 1000, 3072];

const abs = (a: ArrayLike<number>) => Float64Array.from(a, Math.abs);
const offset = (a: Float32Array, scale: number, shift: number) => a.map((v) => v * scale + shift);
/** Optional storages by name: `pick(s, use, 'gamma')` is s.gamma when `use`, else undefined. */
const pick = (s: KernelStorages, use: boolean, name: string): Storage | undefined => (use ? s[name] : undefined);

/** Per-channel statistics of [outer, channels, inner] data, in float64. */
function channelStats(x: ArrayLike<number>, outer: number, channels: number, inner: number, eps: number) {
  const n = outer * inner;
  const mean = new Float64Array(channels);
  const invStd = new Float64Array(channels);
  const meanAbs = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    let sum = 0;
    let sumAbs = 0;
    for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) sum += x[(o * channels + c) * inner + i]!;
    for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) sumAbs += Math.abs(x[(o * channels + c) * inner + i]!);
    mean[c] = sum / n;
    meanAbs[c] = sumAbs / n;
    let sq = 0;
    for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) sq += (x[(o * channels + c) * inner + i]! - mean[c]!) ** 2;
    invStd[c] = 1 / Math.sqrt(sq / n + eps);
  }
  return { mean, invStd, meanAbs };
}

/** Channel of element j in [outer, channels, inner]. */
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a, (v, i) => v * b[i]!).reduce((s, v) => s + v, 0);

const channelOf = (j: number, channels: number, inner: number) => Math.floor(j / inner) % channels;

describe.each(FAST)('normalisation and optimiser kernels on %s match js in float64', (_label, make) => {
  const backend = make();

  describe.each(BN_SHAPES)('BatchNorm [%i, %i, %i]', (outer, channels, inner) => {
    const size = outer * channels * inner;
    const eps = 1e-5;
    const momentum = 0.1;
    const rng = new Rng(outer * 10000 + channels * 100 + inner);
    // An offset of 3 and a spread of 2: the mean must not cost the variance its precision.
    const x = offset(randomArray(rng, size), 2, 3);
    const gamma = offset(randomArray(rng, channels), 1, 1);
    const beta = randomArray(rng, channels);
    const runningMean = randomArray(rng, channels);
    const runningVar = offset(randomArray(rng, channels), 0.5, 1);
    const { mean, invStd, meanAbs } = channelStats(x, outer, channels, inner, eps);

    it.each([
      [true, true],
      [false, true],
      [true, false],
      [false, false],
    ])('batchNormTrain, affine %s, running statistics %s', (affine, running) => {
      const arrays: KernelArrays = {
        x, gamma, beta, runningMean, runningVar,
        out: new Float32Array(size), mean: new Float32Array(channels), invStd: new Float32Array(channels),
      };
      const { got, want } = againstJs64(backend, arrays, (b, s) =>
        getKernel('batchNormTrain', b.name)(b, {
          x: s.x!, outer, channels, inner, gamma: pick(s, affine, 'gamma'), beta: pick(s, affine, 'beta'), eps,
          out: s.out!, mean: s.mean!, invStd: s.invStd!,
          runningMean: pick(s, running, 'runningMean'), runningVar: pick(s, running, 'runningVar'), momentum,
        }),
      );
      // Rounding the mean to float32 shifts x − mean by ε·|mean|: measure out against that too.
      const g = (j: number) => (affine ? Math.abs(gamma[channelOf(j, channels, inner)]!) : 1);
      const magnitude = Float64Array.from(x, (v, j) => {
        const c = channelOf(j, channels, inner);
        return g(j) * invStd[c]! * (Math.abs(v - mean[c]!) + Math.abs(mean[c]!)) + (affine ? Math.abs(beta[c]!) : 0);
      });
      expect(maxRelativeError(got.out.out!, want.out.out!, magnitude)).toBeLessThanOrEqual(1e-5);
      expect(maxRelativeError(got.out.mean!, want.out.mean!, meanAbs)).toBeLessThanOrEqual(1e-5);
      expect(maxRelativeError(got.out.invStd!, want.out.invStd!, want.out.invStd!)).toBeLessThanOrEqual(1e-5);
      const runningMeanScale = runningMean.map((r, c) => (1 - momentum) * Math.abs(r) + momentum * meanAbs[c]!);
      expect(maxRelativeError(got.out.runningMean!, want.out.runningMean!, runningMeanScale)).toBeLessThanOrEqual(1e-5);
      expect(maxRelativeError(got.out.runningVar!, want.out.runningVar!, want.out.runningVar!)).toBeLessThanOrEqual(1e-5);
    });

    it.each([true, false])('batchNormInference, affine %s', (affine) => {
      const arrays: KernelArrays = { x, runningMean, runningVar, gamma, beta, out: new Float32Array(size) };
      const { got, want } = againstJs64(backend, arrays, (b, s) =>
        getKernel('batchNormInference', b.name)(b, {
          x: s.x!, outer, channels, inner, runningMean: s.runningMean!, runningVar: s.runningVar!,
          gamma: pick(s, affine, 'gamma'), beta: pick(s, affine, 'beta'), eps, out: s.out!,
        }),
      );
      const magnitude = Float64Array.from(x, (v, j) => {
        const c = channelOf(j, channels, inner);
        const scale = (affine ? Math.abs(gamma[c]!) : 1) / Math.sqrt(runningVar[c]! + eps);
        return scale * (Math.abs(v) + Math.abs(runningMean[c]!)) + (affine ? Math.abs(beta[c]!) : 0);
      });
      expect(maxRelativeError(got.out.out!, want.out.out!, magnitude)).toBeLessThanOrEqual(1e-5);
    });

    it.each([
      ['dx, dgamma and dbeta', ['dx', 'dgamma', 'dbeta'], true],
      ['dx alone, no gamma', ['dx'], false],
      ['dx alone', ['dx'], true],
      ['dgamma alone', ['dgamma'], true],
      ['dbeta alone', ['dbeta'], false],
    ] as const)('batchNormBackward: %s', (_what, outputs, affine) => {
      const dout = randomArray(new Rng(size + 1), size);
      const arrays: KernelArrays = {
        x, dout, gamma, mean: Float32Array.from(mean), invStd: Float32Array.from(invStd),
        dx: new Float32Array(size).fill(Number.NaN), dgamma: new Float32Array(channels).fill(Number.NaN), dbeta: new Float32Array(channels).fill(Number.NaN),
      };
      const wants = (name: string) => (outputs as readonly string[]).includes(name);
      const { got, want } = againstJs64(backend, arrays, (b, s) =>
        getKernel('batchNormBackward', b.name)(b, {
          x: s.x!, dout: s.dout!, outer, channels, inner, mean: s.mean!, invStd: s.invStd!, gamma: pick(s, affine, 'gamma'),
          dx: pick(s, wants('dx'), 'dx'), dgamma: pick(s, wants('dgamma'), 'dgamma'), dbeta: pick(s, wants('dbeta'), 'dbeta'),
        }),
      );
      const n = outer * inner;
      const sumAbsDout = new Float64Array(channels);
      const sumAbsDoutXhat = new Float64Array(channels);
      const xhat = (j: number) => (x[j]! - arrays.mean![channelOf(j, channels, inner)]!) * arrays.invStd![channelOf(j, channels, inner)]!;
      dout.forEach((d, j) => {
        sumAbsDout[channelOf(j, channels, inner)]! += Math.abs(d);
        sumAbsDoutXhat[channelOf(j, channels, inner)]! += Math.abs(d * xhat(j));
      });
      if (wants('dgamma')) expect(maxRelativeError(got.out.dgamma!, want.out.dgamma!, sumAbsDoutXhat)).toBeLessThanOrEqual(1e-5);
      if (wants('dbeta')) expect(maxRelativeError(got.out.dbeta!, want.out.dbeta!, sumAbsDout)).toBeLessThanOrEqual(1e-5);
      if (wants('dx')) {
        // dx = g·invStd·(dout − Σdout/n − x̂·Σdout·x̂/n) cancels: judge it against the terms' sizes.
        const magnitude = Float64Array.from(dout, (d, j) => {
          const c = channelOf(j, channels, inner);
          const g = affine ? Math.abs(gamma[c]!) : 1;
          return g * arrays.invStd![c]! * (Math.abs(d) + sumAbsDout[c]! / n + (Math.abs(xhat(j)) * sumAbsDoutXhat[c]!) / n);
        });
        expect(maxRelativeError(got.out.dx!, want.out.dx!, magnitude)).toBeLessThanOrEqual(1e-5);
      }
      // Outputs not asked for are left alone.
      for (const name of ['dx', 'dgamma', 'dbeta'].filter((o) => !wants(o))) expect(got.out[name]!.every(Number.isNaN)).toBe(true);
    });
  });

  describe.each(LN_SHAPES)('LayerNorm %ix%i', (rows, cols) => {
    const size = rows * cols;
    const eps = 1e-5;
    const rng = new Rng(rows * 1000 + cols + 77);
    const x = offset(randomArray(rng, size), 2, -3);
    const gamma = offset(randomArray(rng, cols), 1, 1);
    const beta = randomArray(rng, cols);
    const rowStats = channelStats(x, 1, rows, cols, eps); // rows as channels of one sample

    it.each([true, false])('layerNorm, affine %s', (affine) => {
      const arrays: KernelArrays = { x, gamma, beta, out: new Float32Array(size), mean: new Float32Array(rows), invStd: new Float32Array(rows) };
      const { got, want } = againstJs64(backend, arrays, (b, s) =>
        getKernel('layerNorm', b.name)(b, {
          x: s.x!, rows, cols, gamma: pick(s, affine, 'gamma'), beta: pick(s, affine, 'beta'), eps,
          out: s.out!, mean: s.mean!, invStd: s.invStd!,
        }),
      );
      const magnitude = Float64Array.from(x, (v, j) => {
        const r = Math.floor(j / cols);
        const c = j % cols;
        const m = rowStats.mean[r]!;
        return (affine ? Math.abs(gamma[c]!) : 1) * rowStats.invStd[r]! * (Math.abs(v - m) + Math.abs(m)) + (affine ? Math.abs(beta[c]!) : 0);
      });
      expect(maxRelativeError(got.out.out!, want.out.out!, magnitude)).toBeLessThanOrEqual(1e-5);
      expect(maxRelativeError(got.out.mean!, want.out.mean!, rowStats.meanAbs)).toBeLessThanOrEqual(1e-5);
      expect(maxRelativeError(got.out.invStd!, want.out.invStd!, want.out.invStd!)).toBeLessThanOrEqual(1e-5);
    });

    it.each([
      ['dx, dgamma and dbeta', ['dx', 'dgamma', 'dbeta'], true],
      ['dx alone, no gamma', ['dx'], false],
      ['dgamma alone', ['dgamma'], true],
      ['dbeta alone', ['dbeta'], false],
    ] as const)('layerNormBackward: %s', (_what, outputs, affine) => {
      const dout = randomArray(new Rng(size + 2), size);
      const arrays: KernelArrays = {
        x, dout, gamma, mean: Float32Array.from(rowStats.mean), invStd: Float32Array.from(rowStats.invStd),
        dx: new Float32Array(size).fill(Number.NaN), dgamma: new Float32Array(cols).fill(Number.NaN), dbeta: new Float32Array(cols).fill(Number.NaN),
      };
      const wants = (name: string) => (outputs as readonly string[]).includes(name);
      const { got, want } = againstJs64(backend, arrays, (b, s) =>
        getKernel('layerNormBackward', b.name)(b, {
          x: s.x!, dout: s.dout!, rows, cols, mean: s.mean!, invStd: s.invStd!, gamma: pick(s, affine, 'gamma'),
          dx: pick(s, wants('dx'), 'dx'), dgamma: pick(s, wants('dgamma'), 'dgamma'), dbeta: pick(s, wants('dbeta'), 'dbeta'),
        }),
      );
      const xhat = (j: number) => (x[j]! - arrays.mean![Math.floor(j / cols)]!) * arrays.invStd![Math.floor(j / cols)]!;
      const g = (j: number) => (affine ? Math.abs(gamma[j % cols]!) : 1) * Math.abs(dout[j]!);
      const colAbs = (f: (j: number) => number) => {
        const out = new Float64Array(cols);
        for (let j = 0; j < size; j++) out[j % cols]! += f(j);
        return out;
      };
      if (wants('dgamma')) expect(maxRelativeError(got.out.dgamma!, want.out.dgamma!, colAbs((j) => Math.abs(dout[j]! * xhat(j))))).toBeLessThanOrEqual(1e-5);
      if (wants('dbeta')) expect(maxRelativeError(got.out.dbeta!, want.out.dbeta!, colAbs((j) => Math.abs(dout[j]!)))).toBeLessThanOrEqual(1e-5);
      if (wants('dx')) {
        const rowAbs = (f: (j: number) => number) =>
          Float64Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => f(r * cols + c)).reduce((a, b) => a + b, 0));
        const [sumG, sumGXhat] = [rowAbs(g), rowAbs((j) => g(j) * Math.abs(xhat(j)))];
        const magnitude = Float64Array.from(dout, (_, j) => {
          const r = Math.floor(j / cols);
          return arrays.invStd![r]! * (g(j) + sumG[r]! / cols + (Math.abs(xhat(j)) * sumGXhat[r]!) / cols);
        });
        expect(maxRelativeError(got.out.dx!, want.out.dx!, magnitude)).toBeLessThanOrEqual(1e-5);
      }
      for (const name of ['dx', 'dgamma', 'dbeta'].filter((o) => !wants(o))) expect(got.out[name]!.every(Number.isNaN)).toBe(true);
    });
  });

  const SGD_OPTIONS = [0, 0.9].flatMap((momentum) =>
    [0, 0.1].flatMap((dampening) =>
      [false, true].flatMap((nesterov) => [0, 1e-2].flatMap((weightDecay) => [{ momentum, dampening, nesterov, weightDecay }])),
    ),
  );

  it.each(LENGTHS)('sgdStep on %i elements: every momentum/dampening/nesterov/weight-decay combination, first and later steps', (length) => {
    for (const options of SGD_OPTIONS) {
      for (const firstStep of [true, false]) {
        const rng = new Rng(length + 11);
        const arrays: KernelArrays = { param: randomArray(rng, length), grad: randomArray(rng, length), momentumBuffer: randomArray(rng, length) };
        const lr = 0.05;
        const { got, want } = againstJs64(backend, arrays, (b, s) =>
          getKernel('sgdStep', b.name)(b, {
            param: s.param!, grad: s.grad!, momentumBuffer: options.momentum === 0 ? undefined : s.momentumBuffer!, lr, ...options, firstStep,
          }),
        );
        const what = `${JSON.stringify(options)} firstStep ${firstStep}`;
        // |buffer| and |d| before rounding: each bounds its term's rounding error.
        const d = abs(arrays.grad!).map((g, i) => g + options.weightDecay * Math.abs(arrays.param![i]!));
        const buf = d.map((v, i) => (firstStep ? v : options.momentum * Math.abs(arrays.momentumBuffer![i]!) + v));
        const magnitude = abs(arrays.param!).map((p, i) => p + lr * (d[i]! + 2 * buf[i]!));
        expect(maxRelativeError(got.out.param!, want.out.param!, magnitude), what).toBeLessThanOrEqual(1e-5);
        expect(maxRelativeError(got.out.momentumBuffer!, want.out.momentumBuffer!, buf), what).toBeLessThanOrEqual(1e-5);
      }
    }
  });

  it.each(LENGTHS)('adamStep on %i elements, steps 1 to 3, with and without weight decay', (length) => {
    for (const weightDecay of [0, 0.1]) {
      const rng = new Rng(length + 12);
      let state: KernelArrays = { param: randomArray(rng, length), expAvg: new Float32Array(length), expAvgSq: new Float32Array(length) };
      for (let step = 1; step <= 3; step++) {
        const arrays: KernelArrays = { ...state, grad: randomArray(rng, length) };
        const hyper = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay, step };
        const { got, want } = againstJs64(backend, arrays, (b, s) =>
          getKernel('adamStep', b.name)(b, { param: s.param!, grad: s.grad!, expAvg: s.expAvg!, expAvgSq: s.expAvgSq!, ...hyper }),
        );
        const what = `step ${step}, weightDecay ${weightDecay}`;
        const g = abs(arrays.grad!).map((v, i) => v + weightDecay * Math.abs(arrays.param![i]!));
        const expAvgScale = abs(arrays.expAvg!).map((m, i) => 0.9 * m + 0.1 * g[i]!);
        expect(maxRelativeError(got.out.expAvg!, want.out.expAvg!, expAvgScale), what).toBeLessThanOrEqual(1e-5);
        // g = grad + weightDecay·param cancels: g² is judged against (|grad| + weightDecay·|param|)².
        const expAvgSqScale = abs(arrays.expAvgSq!).map((v, i) => 0.999 * v + 0.001 * g[i]! ** 2);
        expect(maxRelativeError(got.out.expAvgSq!, want.out.expAvgSq!, expAvgSqScale), what).toBeLessThanOrEqual(1e-5);
        const update = want.out.param!.map((p, i) => Math.abs(p - arrays.param![i]!));
        const magnitude = abs(arrays.param!).map((p, i) => p + update[i]!);
        expect(maxRelativeError(got.out.param!, want.out.param!, magnitude), what).toBeLessThanOrEqual(1e-5);
        // The next step starts from this backend's own state, so each step is judged alone.
        state = { param: Float32Array.from(got.out.param!), expAvg: Float32Array.from(got.out.expAvg!), expAvgSq: Float32Array.from(got.out.expAvgSq!) };
      }
    }
  });
});

/** A fixture tensor: shape and row-major data. */
interface FixtureTensor {
  shape: number[];
  data: number[];
}

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'));

describe('the js backend in float64 against PyTorch, closed forms and finite differences', () => {
  const f64 = (values: ArrayLike<number>) => js.upload(Float64Array.from(values));
  const read = (s: Storage) => Array.from(js.view(s));
  const zeros = (n: number) => js.allocate(n, 'float64');
  const close = (got: ArrayLike<number>, want: ArrayLike<number>, tol = 1e-12) =>
    expect(gradcheck.relativeError(got, want)).toBeLessThan(tol);

  it('BatchNorm of [[1], [3]]: mean 2, variance 1; running variance updated with the unbiased 2', () => {
    const [out, mean, invStd] = [zeros(2), zeros(1), zeros(1)];
    const [runningMean, runningVar] = [f64([0]), f64([1])];
    getKernel('batchNormTrain', 'js')(js, {
      x: f64([1, 3]), outer: 2, channels: 1, inner: 1, eps: 0, out, mean, invStd, runningMean, runningVar, momentum: 0.1,
    });
    expect(read(mean)).toEqual([2]);
    expect(read(invStd)).toEqual([1]);
    expect(read(out)).toEqual([-1, 1]);
    expect(read(runningMean)[0]).toBeCloseTo(0.2, 15);
    expect(read(runningVar)[0]).toBeCloseTo(0.9 * 1 + 0.1 * 2, 15);
    const inference = zeros(2);
    getKernel('batchNormInference', 'js')(js, {
      x: f64([1, 3]), outer: 2, channels: 1, inner: 1, runningMean: f64([2]), runningVar: f64([4]), gamma: f64([3]), beta: f64([1]), eps: 0, out: inference,
    });
    expect(read(inference)).toEqual([-0.5, 2.5]);
  });

  it('LayerNorm of [1, 2, 3, 4]: mean 2.5, biased variance 1.25', () => {
    const [out, mean, invStd] = [zeros(4), zeros(1), zeros(1)];
    getKernel('layerNorm', 'js')(js, { x: f64([1, 2, 3, 4]), rows: 1, cols: 4, eps: 0, out, mean, invStd });
    expect(read(mean)).toEqual([2.5]);
    close(read(invStd), [1 / Math.sqrt(1.25)]);
    close(read(out), [-1.5, -0.5, 0.5, 1.5].map((v) => v / Math.sqrt(1.25)));
  });

  const nn = fixture('nn_modules.json');
  const data = (t: FixtureTensor) => t.data;

  it("BatchNorm1d in training mode matches PyTorch: output, running statistics, gradients and the eval-mode output", () => {
    const c = nn.cases.batchnorm1d_train;
    const [outer, channels] = c.inputs.x.shape as [number, number];
    const { eps, momentum } = c.options;
    const x = f64(data(c.inputs.x));
    const [gamma, beta] = [f64(data(c.params.weight)), f64(data(c.params.bias))];
    const [runningMean, runningVar] = [f64(data(c.buffers.running_mean)), f64(data(c.buffers.running_var))];
    const [out, mean, invStd] = [zeros(outer * channels), zeros(channels), zeros(channels)];
    const shape = { outer, channels, inner: 1 };
    getKernel('batchNormTrain', 'js')(js, { x, ...shape, gamma, beta, eps, out, mean, invStd, runningMean, runningVar, momentum });
    close(read(out), data(c.output));
    close(read(runningMean), data(c.buffers_after.running_mean));
    close(read(runningVar), data(c.buffers_after.running_var));
    const [dx, dgamma, dbeta] = [zeros(outer * channels), zeros(channels), zeros(channels)];
    getKernel('batchNormBackward', 'js')(js, { x, dout: f64(data(c.R)), ...shape, mean, invStd, gamma, dx, dgamma, dbeta });
    close(read(dx), data(c.grads.x), 1e-10);
    close(read(dgamma), data(c.grads.weight));
    close(read(dbeta), data(c.grads.bias));
    const evalX = c.eval.inputs.x as FixtureTensor;
    const evalOut = zeros(evalX.data.length);
    getKernel('batchNormInference', 'js')(js, {
      x: f64(evalX.data), outer: evalX.shape[0]!, channels, inner: 1, runningMean, runningVar, gamma, beta, eps, out: evalOut,
    });
    close(read(evalOut), data(c.eval.output));
  });

  it('BatchNorm1d in eval mode matches PyTorch', () => {
    const c = nn.cases.batchnorm1d_eval;
    const [outer, channels] = c.inputs.x.shape as [number, number];
    const out = zeros(outer * channels);
    getKernel('batchNormInference', 'js')(js, {
      x: f64(data(c.inputs.x)), outer, channels, inner: 1, runningMean: f64(data(c.buffers.running_mean)),
      runningVar: f64(data(c.buffers.running_var)), gamma: f64(data(c.params.weight)), beta: f64(data(c.params.bias)), eps: c.options.eps, out,
    });
    close(read(out), data(c.output));
  });

  it.each(['layernorm', 'layer_norm_no_affine'])('%s matches PyTorch: output and gradients', (name) => {
    const c = nn.cases[name];
    const [rows, cols] = c.inputs.x.shape as [number, number];
    const x = f64(data(c.inputs.x));
    const gamma = c.params ? f64(data(c.params.weight)) : undefined;
    const beta = c.params ? f64(data(c.params.bias)) : undefined;
    const [out, mean, invStd] = [zeros(rows * cols), zeros(rows), zeros(rows)];
    getKernel('layerNorm', 'js')(js, { x, rows, cols, gamma, beta, eps: c.options.eps, out, mean, invStd });
    close(read(out), data(c.output));
    const [dx, dgamma, dbeta] = [zeros(rows * cols), zeros(cols), zeros(cols)];
    getKernel('layerNormBackward', 'js')(js, { x, dout: f64(data(c.R)), rows, cols, mean, invStd, gamma, dx, dgamma, dbeta });
    close(read(dx), data(c.grads.x), 1e-10);
    if (c.params) {
      close(read(dgamma), data(c.grads.weight));
      close(read(dbeta), data(c.grads.bias));
    }
  });

  it('batchNormBackward and layerNormBackward are the gradients of Σ out·R (finite differences, [3, 2, 4] and 3x5)', () => {
    const rng = new Rng(31);
    const bn = { outer: 3, channels: 2, inner: 4 };
    const size = 24;
    const x = f64(randomArray(rng, size));
    const gamma = f64(randomArray(rng, 2));
    const beta = f64(randomArray(rng, 2));
    const R = Float64Array.from(randomArray(rng, size));
    const [out, mean, invStd] = [zeros(size), zeros(2), zeros(2)];
    const forward = () => {
      getKernel('batchNormTrain', 'js')(js, { x, ...bn, gamma, beta, eps: 1e-3, out, mean, invStd, momentum: 0.1 });
      return dot(js.view(out), R);
    };
    forward();
    const [dx, dgamma, dbeta] = [zeros(size), zeros(2), zeros(2)];
    getKernel('batchNormBackward', 'js')(js, { x, dout: js.upload(R), ...bn, mean, invStd, gamma, dx, dgamma, dbeta });
    close(read(dx), gradcheck.numericalGradient(forward, js.view(x)), 1e-7);
    close(read(dgamma), gradcheck.numericalGradient(forward, js.view(gamma)), 1e-7);
    close(read(dbeta), gradcheck.numericalGradient(forward, js.view(beta)), 1e-7);

    const [rows, cols] = [3, 5];
    const lx = f64(randomArray(rng, 15));
    const lgamma = f64(randomArray(rng, cols));
    const lR = Float64Array.from(randomArray(rng, 15));
    const [lout, lmean, linvStd] = [zeros(15), zeros(rows), zeros(rows)];
    const lforward = () => {
      getKernel('layerNorm', 'js')(js, { x: lx, rows, cols, gamma: lgamma, eps: 1e-3, out: lout, mean: lmean, invStd: linvStd });
      return dot(js.view(lout), lR);
    };
    lforward();
    const [ldx, ldgamma] = [zeros(15), zeros(cols)];
    getKernel('layerNormBackward', 'js')(js, { x: lx, dout: js.upload(lR), rows, cols, mean: lmean, invStd: linvStd, gamma: lgamma, dx: ldx, dgamma: ldgamma });
    close(read(ldx), gradcheck.numericalGradient(lforward, js.view(lx)), 1e-7);
    close(read(ldgamma), gradcheck.numericalGradient(lforward, js.view(lgamma)), 1e-7);
  });

  const optim = fixture('optim.json');

  it.each((optim.cases as Array<{ name: string }>).map((c) => [c.name, c] as const))(
    '%s: three steps match torch.optim (parameters after each step, state after the last)',
    (_name, c: any) => {
      const n = optim.p0.length;
      const param = f64(optim.p0);
      const o = c.options;
      const buffers = { first: f64(new Float64Array(n)), second: f64(new Float64Array(n)) };
      (optim.grads as number[][]).forEach((g, k) => {
        if (c.optimizer === 'SGD') {
          const momentumBuffer = o.momentum === 0 ? undefined : buffers.first;
          getKernel('sgdStep', 'js')(js, {
            param, grad: f64(g), momentumBuffer, lr: o.lr, momentum: o.momentum, dampening: o.dampening,
            nesterov: o.nesterov, weightDecay: o.weightDecay, firstStep: k === 0,
          });
        } else {
          getKernel('adamStep', 'js')(js, {
            param, grad: f64(g), expAvg: buffers.first, expAvgSq: buffers.second, lr: o.lr, beta1: o.betas[0],
            beta2: o.betas[1], eps: o.eps, weightDecay: o.weightDecay, step: k + 1,
          });
        }
        close(read(param), c.params[k], 1e-14);
      });
      if (c.optimizer === 'SGD' && c.state.momentum_buffer) close(read(buffers.first), c.state.momentum_buffer, 1e-14);
      if (c.optimizer === 'Adam') {
        close(read(buffers.first), c.state.exp_avg, 1e-14);
        close(read(buffers.second), c.state.exp_avg_sq, 1e-14);
      }
    },
  );

  it('sgdStep with momentum, dampening, nesterov and weight decay by hand: a first step, then a later one', () => {
    const [param, buf] = [f64([1]), f64([123])]; // the first step overwrites the buffer unread
    const options = { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true, weightDecay: 0.01 };
    getKernel('sgdStep', 'js')(js, { param, grad: f64([0.5]), momentumBuffer: buf, ...options, firstStep: true });
    const d1 = 0.5 + 0.01 * 1;
    const p1 = 1 - 0.1 * (d1 + 0.9 * d1);
    close(read(buf), [d1]);
    close(read(param), [p1]);
    getKernel('sgdStep', 'js')(js, { param, grad: f64([0.5]), momentumBuffer: buf, ...options, firstStep: false });
    const d2 = 0.5 + 0.01 * p1;
    const b2 = 0.9 * d1 + 0.9 * d2;
    close(read(buf), [b2]);
    close(read(param), [p1 - 0.1 * (d2 + 0.9 * b2)]);
  });
});

/** A kernel call that must fail, and how: the error class and the message every backend gives. */
interface BadCall {
  what: string;
  call: (b: Backend, alloc: (n: number) => Storage) => unknown;
  error: typeof ShapeError | typeof ArgumentError;
  message: string | RegExp;
}

const bn = { outer: 2, channels: 3, inner: 2, eps: 1e-5 };
const bnTrain = (n: (len: number) => Storage) => ({ ...bn, x: n(12), out: n(12), mean: n(3), invStd: n(3), momentum: 0.1 });
const bnInference = (n: (len: number) => Storage) => ({ ...bn, x: n(12), runningMean: n(3), runningVar: n(3), out: n(12) });
const bnBackward = (n: (len: number) => Storage) => ({ ...bn, x: n(12), dout: n(12), mean: n(3), invStd: n(3) });
const ln = { rows: 2, cols: 3, eps: 1e-5 };
const lnForward = (n: (len: number) => Storage) => ({ ...ln, x: n(6), out: n(6), mean: n(2), invStd: n(2) });
const lnBackward = (n: (len: number) => Storage) => ({ ...ln, x: n(6), dout: n(6), mean: n(2), invStd: n(2) });
const sgd = { lr: 0.1, momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 0, firstStep: true };
const adam = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, step: 1 };

const BAD_CALLS: BadCall[] = [
  {
    what: 'batchNormTrain x',
    call: (b, n) => getKernel('batchNormTrain', b.name)(b, { ...bnTrain(n), x: n(11) }),
    error: ShapeError,
    message: 'batchNormTrain: x should hold 2x3x2 = 12 elements but holds 11',
  },
  {
    what: 'batchNormTrain gamma',
    call: (b, n) => getKernel('batchNormTrain', b.name)(b, { ...bnTrain(n), gamma: n(2) }),
    error: ShapeError,
    message: 'batchNormTrain: gamma should hold 3 elements (channels) but holds 2',
  },
  {
    what: 'batchNormTrain mean',
    call: (b, n) => getKernel('batchNormTrain', b.name)(b, { ...bnTrain(n), mean: n(4) }),
    error: ShapeError,
    message: 'batchNormTrain: mean should hold 3 elements (channels) but holds 4',
  },
  {
    what: 'batchNormTrain runningVar',
    call: (b, n) => getKernel('batchNormTrain', b.name)(b, { ...bnTrain(n), runningMean: n(3), runningVar: n(2) }),
    error: ShapeError,
    message: 'batchNormTrain: runningVar should hold 3 elements (channels) but holds 2',
  },
  {
    what: 'batchNormTrain running variance of one value per channel',
    call: (b, n) => getKernel('batchNormTrain', b.name)(b, { ...bnTrain(n), outer: 1, inner: 1, x: n(3), out: n(3), runningVar: n(3) }),
    error: ArgumentError,
    message: 'batchNormTrain: runningVar needs at least 2 values per channel (outer·inner) but there are 1',
  },
  {
    what: 'batchNormTrain out = x',
    call: (b, n) => {
      const args = bnTrain(n);
      return getKernel('batchNormTrain', b.name)(b, { ...args, out: args.x });
    },
    error: ArgumentError,
    message: /^batchNormTrain: out .*overlaps x; the output must be a separate buffer$/,
  },
  {
    what: 'batchNormInference beta',
    call: (b, n) => getKernel('batchNormInference', b.name)(b, { ...bnInference(n), beta: n(4) }),
    error: ShapeError,
    message: 'batchNormInference: beta should hold 3 elements (channels) but holds 4',
  },
  {
    what: 'batchNormInference out',
    call: (b, n) => getKernel('batchNormInference', b.name)(b, { ...bnInference(n), out: n(13) }),
    error: ShapeError,
    message: 'batchNormInference: out should hold 2x3x2 = 12 elements but holds 13',
  },
  {
    what: 'batchNormBackward dout',
    call: (b, n) => getKernel('batchNormBackward', b.name)(b, { ...bnBackward(n), dout: n(11), dx: n(12) }),
    error: ShapeError,
    message: 'batchNormBackward: dout should hold 2x3x2 = 12 elements but holds 11',
  },
  {
    what: 'batchNormBackward dgamma alone',
    call: (b, n) => getKernel('batchNormBackward', b.name)(b, { ...bnBackward(n), dgamma: n(2) }),
    error: ShapeError,
    message: 'batchNormBackward: dgamma should hold 3 elements (channels) but holds 2',
  },
  {
    what: 'layerNorm invStd',
    call: (b, n) => getKernel('layerNorm', b.name)(b, { ...lnForward(n), invStd: n(3) }),
    error: ShapeError,
    message: 'layerNorm: invStd should hold 2 elements (rows) but holds 3',
  },
  {
    what: 'layerNorm beta',
    call: (b, n) => getKernel('layerNorm', b.name)(b, { ...lnForward(n), beta: n(2) }),
    error: ShapeError,
    message: 'layerNorm: beta should hold 3 elements (cols) but holds 2',
  },
  {
    what: 'layerNormBackward dx',
    call: (b, n) => getKernel('layerNormBackward', b.name)(b, { ...lnBackward(n), dx: n(5) }),
    error: ShapeError,
    message: 'layerNormBackward: dx should hold 2x3 = 6 elements but holds 5',
  },
  {
    what: 'layerNormBackward dgamma = dbeta',
    call: (b, n) => {
      const d = n(3);
      return getKernel('layerNormBackward', b.name)(b, { ...lnBackward(n), dgamma: d, dbeta: d });
    },
    error: ArgumentError,
    message: /^layerNormBackward: dgamma .*overlaps dbeta; the output must be a separate buffer$/,
  },
  {
    what: 'sgdStep grad',
    call: (b, n) => getKernel('sgdStep', b.name)(b, { ...sgd, param: n(4), grad: n(3), momentumBuffer: n(4) }),
    error: ShapeError,
    message: 'sgdStep: grad should hold 4 elements (as many as param) but holds 3',
  },
  {
    what: 'sgdStep momentumBuffer',
    call: (b, n) => getKernel('sgdStep', b.name)(b, { ...sgd, param: n(4), grad: n(4), momentumBuffer: n(5) }),
    error: ShapeError,
    message: 'sgdStep: momentumBuffer should hold 4 elements (as many as param) but holds 5',
  },
  {
    what: 'sgdStep momentum without a buffer',
    call: (b, n) => getKernel('sgdStep', b.name)(b, { ...sgd, param: n(4), grad: n(4) }),
    error: ArgumentError,
    message: 'sgdStep: momentumBuffer is required when momentum is not 0',
  },
  {
    what: 'sgdStep momentumBuffer = param',
    call: (b, n) => {
      const p = n(4);
      return getKernel('sgdStep', b.name)(b, { ...sgd, param: p, grad: n(4), momentumBuffer: p });
    },
    error: ArgumentError,
    message: /^sgdStep: param .*overlaps momentumBuffer; the output must be a separate buffer$/,
  },
  {
    what: 'adamStep expAvgSq',
    call: (b, n) => getKernel('adamStep', b.name)(b, { ...adam, param: n(4), grad: n(4), expAvg: n(4), expAvgSq: n(3) }),
    error: ShapeError,
    message: 'adamStep: expAvgSq should hold 4 elements (as many as param) but holds 3',
  },
  {
    what: 'adamStep step 0',
    call: (b, n) => getKernel('adamStep', b.name)(b, { ...adam, step: 0, param: n(4), grad: n(4), expAvg: n(4), expAvgSq: n(4) }),
    error: ArgumentError,
    message: 'adamStep: step should be an integer >= 1 (steps count from 1) but is 0',
  },
];

describe.each(['js', 'native', 'wasm'] as const)('normalisation and optimiser argument errors on %s', (name) => {
  const backend = getBackend(name);
  const alloc = (n: number) => backend.allocate(n, 'float32');

  it.each(BAD_CALLS.map((c) => [c.what, c] as const))('%s: the error class and message, word for word as dlp-kernels', (_what, c) => {
    expect(() => c.call(backend, alloc)).toThrow(c.error);
    expect(() => c.call(backend, alloc)).toThrow(c.message);
  });
});
