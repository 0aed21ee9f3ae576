/**
 * Convolution and max-pooling kernels on native, wasm (SIMD build) and wasm (scalar build)
 * against the js backend's direct loops in float64 on the same seeded inputs: the ConvNet's
 * shapes and odd ones (strides, padding, 1×1, non-square), each float32 result within 1e-5 of
 * the sum of its terms' magnitudes; pooling exactly, ties and NaN included. Then every backend's
 * argument errors. Both fast backends must load: the test command builds them first.
 */

import { describe, expect, it } from 'vitest';
import { ArgumentError, getBackend, getKernel, Rng, ShapeError, type Backend, type Storage } from '../../src/index.js';
import type { Conv2dGeometry, MaxPool2dGeometry } from '../../src/kernels/conv.js';
import { loadWasmKernelsSync } from '../../src/backends/wasm/load-node.js';
import { WasmBackend } from '../../src/backends/wasm/wasm-backend.js';
import { againstJs64, maxRelativeError, randomArray, type KernelArrays, type KernelStorages } from './helpers.js';

const js = getBackend('js');

const FAST: Array<[string, () => Backend]> = [
  ['native', () => getBackend('native')],
  ['wasm', () => getBackend('wasm')],
  ['wasm scalar', () => new WasmBackend(loadWasmKernelsSync({ variant: 'scalar' }))],
];

/** [batch, in, height, width, out, kernelH, kernelW, strideH, strideW, padH, padW]. */
type ConvCase = [number, number, number, number, number, number, number, number, number, number, number];
const CONV_SHAPES: ConvCase[] = [
  [2, 3, 32, 32, 64, 3, 3, 1, 1, 1, 1], // the ConvNet's stem
  [2, 64, 16, 16, 128, 1, 1, 1, 1, 0, 0], // its 1×1 (no im2col)
  [2, 128, 16, 16, 128, 3, 3, 1, 1, 1, 1], // its widest 3×3
  [3, 5, 7, 9, 3, 3, 3, 2, 2, 1, 1],
  [1, 7, 5, 6, 2, 1, 1, 2, 2, 0, 0],
  [3, 1, 9, 4, 5, 3, 3, 1, 2, 0, 1],
  [2, 3, 5, 7, 3, 2, 3, 2, 1, 1, 0],
  [1, 2, 3, 3, 1, 3, 3, 1, 1, 0, 0],
];

/** [batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW]. */
type PoolCase = [number, number, number, number, number, number, number, number, number, number];
const POOL_SHAPES: PoolCase[] = [
  [2, 64, 32, 32, 3, 3, 2, 2, 1, 1], // the ConvNet's
  [3, 5, 8, 8, 2, 2, 2, 2, 0, 0],
  [1, 3, 7, 9, 2, 2, 2, 2, 0, 0],
  [2, 2, 5, 6, 3, 2, 1, 2, 1, 1],
];

function convGeometry([batch, inChannels, height, width, outChannels, kernelH, kernelW, strideH, strideW, padH, padW]: ConvCase): Conv2dGeometry {
  return { batch, inChannels, height, width, outChannels, kernelH, kernelW, strideH, strideW, padH, padW };
}

function poolGeometry([batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW]: PoolCase): MaxPool2dGeometry {
  return { batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW };
}

const outSize = (g: Conv2dGeometry | MaxPool2dGeometry): [number, number] => [
  Math.floor((g.height + 2 * g.padH - g.kernelH) / g.strideH) + 1,
  Math.floor((g.width + 2 * g.padW - g.kernelW) / g.strideW) + 1,
];

/** Σ|term| of each output: the same kernel on js over the inputs' absolute values. */
function magnitudes(arrays: KernelArrays, call: (b: Backend, s: KernelStorages) => void): Record<string, Float64Array> {
  const abs = Object.fromEntries(Object.entries(arrays).map(([k, a]) => [k, Float64Array.from(a, Math.abs)]));
  const storages = Object.fromEntries(Object.entries(abs).map(([k, a]) => [k, js.upload(a)]));
  call(js, storages);
  return Object.fromEntries(Object.entries(storages).map(([k, s]) => [k, Float64Array.from(js.view(s))]));
}

/** `call` on `backend` and on js in float64: each named output within 1e-5 of its magnitude. */
function expectParity(backend: Backend, arrays: KernelArrays, outputs: string[], call: (b: Backend, s: KernelStorages) => void): void {
  const { got, want } = againstJs64(backend, arrays, call);
  const scale = magnitudes(arrays, call);
  for (const name of outputs) {
    expect(maxRelativeError(got.out[name]!, want.out[name]!, scale[name]!), name).toBeLessThanOrEqual(1e-5);
  }
}

describe.each(FAST)('convolution and pooling kernels on %s match js in float64', (_label, make) => {
  const backend = make();

  describe.each(CONV_SHAPES.map((c) => [c.join(','), c] as const))('conv2d [%s]', (_name, c) => {
    const g = convGeometry(c);
    const [oh, ow] = outSize(g);
    const xLen = g.batch * g.inChannels * g.height * g.width;
    const wLen = g.outChannels * g.inChannels * g.kernelH * g.kernelW;
    const outLen = g.batch * g.outChannels * oh * ow;
    const rng = new Rng(c.reduce((a, v) => a * 7 + v, 1));
    const x = randomArray(rng, xLen);
    const weight = randomArray(rng, wLen);
    const bias = randomArray(rng, g.outChannels);
    const dout = randomArray(rng, outLen);

    it.each([true, false])('forward, bias %s', (withBias) => {
      const arrays: KernelArrays = { x, weight, bias, out: new Float32Array(outLen).fill(Number.NaN) };
      expectParity(backend, arrays, ['out'], (b, s) =>
        getKernel('conv2d', b.name)(b, { ...g, x: s.x!, weight: s.weight!, bias: withBias ? s.bias : undefined, out: s.out! }),
      );
    });

    it('backward input', () => {
      const arrays: KernelArrays = { dout, weight, dx: new Float32Array(xLen).fill(Number.NaN) };
      expectParity(backend, arrays, ['dx'], (b, s) => getKernel('conv2dBackwardInput', b.name)(b, { ...g, dout: s.dout!, weight: s.weight!, dx: s.dx! }));
    });

    it.each([true, false])('backward weight, dbias %s', (withBias) => {
      const arrays: KernelArrays = { x, dout, dweight: new Float32Array(wLen).fill(Number.NaN), dbias: new Float32Array(g.outChannels).fill(Number.NaN) };
      expectParity(backend, arrays, withBias ? ['dweight', 'dbias'] : ['dweight'], (b, s) =>
        getKernel('conv2dBackwardWeight', b.name)(b, { ...g, x: s.x!, dout: s.dout!, dweight: s.dweight!, dbias: withBias ? s.dbias : undefined }),
      );
    });
  });

  describe.each(POOL_SHAPES.map((c) => [c.join(','), c] as const))('maxPool2d [%s]', (_name, c) => {
    const g = poolGeometry(c);
    const [oh, ow] = outSize(g);
    const xLen = g.batch * g.channels * g.height * g.width;
    const outLen = g.batch * g.channels * oh * ow;
    const rng = new Rng(c.reduce((a, v) => a * 5 + v, 3));
    // Quarters in [−1, 1]: many ties in a window; and a few NaNs.
    const x = randomArray(rng, xLen).map((v) => Math.round(v * 4) / 4);
    for (const at of [5, 17, 18, 40]) if (at < xLen) x[at] = Number.NaN;

    it('forward: values and indices exactly', () => {
      const indices = { got: new Int32Array(outLen).fill(-1), want: new Int32Array(outLen).fill(-1) };
      const { got, want } = againstJs64(backend, { x, out: new Float32Array(outLen) }, (b, s) =>
        getKernel('maxPool2d', b.name)(b, { ...g, x: s.x!, out: s.out!, indices: b === backend ? indices.got : indices.want }),
      );
      expect(Array.from(indices.got)).toEqual(Array.from(indices.want));
      expect(Array.from(got.out.out!)).toEqual(Array.from(want.out.out!));
    });

    it('backward: dout routed to the js indices', () => {
      const indices = new Int32Array(outLen);
      const out = js.upload(new Float64Array(outLen));
      getKernel('maxPool2d', 'js')(js, { ...g, x: js.upload(Float64Array.from(x)), out, indices });
      const arrays: KernelArrays = { dout: randomArray(rng, outLen), dx: new Float32Array(xLen).fill(Number.NaN) };
      expectParity(backend, arrays, ['dx'], (b, s) => getKernel('maxPool2dBackward', b.name)(b, { ...g, dout: s.dout!, indices, dx: s.dx! }));
    });
  });
});

interface BadCall {
  what: string;
  call: (b: Backend, alloc: (n: number) => Storage) => unknown;
  error: typeof ShapeError | typeof ArgumentError;
  message: string;
}

// 2 images of 3×4×4, 2 output channels, 3×3 pad 1: out 2x2x4x4 = 64.
const cg: Conv2dGeometry = { batch: 2, inChannels: 3, height: 4, width: 4, outChannels: 2, kernelH: 3, kernelW: 3, strideH: 1, strideW: 1, padH: 1, padW: 1 };
const convArgs = (n: (len: number) => Storage) => ({ ...cg, x: n(96), weight: n(54), out: n(64) });
const convInput = (n: (len: number) => Storage) => ({ ...cg, dout: n(64), weight: n(54), dx: n(96) });
const convWeight = (n: (len: number) => Storage) => ({ ...cg, x: n(96), dout: n(64), dweight: n(54) });
// 1 image of 2×4×4, 2×2 stride 2: out 1x2x2x2 = 8.
const pg: MaxPool2dGeometry = { batch: 1, channels: 2, height: 4, width: 4, kernelH: 2, kernelW: 2, strideH: 2, strideW: 2, padH: 0, padW: 0 };
const poolArgs = (n: (len: number) => Storage) => ({ ...pg, x: n(32), out: n(8), indices: new Int32Array(8) });
const poolBackward = (n: (len: number) => Storage) => ({ ...pg, dout: n(8), indices: new Int32Array(8), dx: n(32) });

const BAD_CALLS: BadCall[] = [
  {
    what: 'conv2d x',
    call: (b, n) => getKernel('conv2d', b.name)(b, { ...convArgs(n), x: n(95) }),
    error: ShapeError,
    message: 'conv2d: x should hold 2x3x4x4 = 96 elements but holds 95',
  },
  {
    what: 'conv2d bias',
    call: (b, n) => getKernel('conv2d', b.name)(b, { ...convArgs(n), bias: n(3) }),
    error: ShapeError,
    message: 'conv2d: bias should hold 2 elements (channels) but holds 3',
  },
  {
    what: 'conv2d out',
    call: (b, n) => getKernel('conv2d', b.name)(b, { ...convArgs(n), out: n(32) }),
    error: ShapeError,
    message: 'conv2d: out should hold 2x2x4x4 = 64 elements but holds 32',
  },
  {
    what: 'conv2d kernel larger than the padded input',
    call: (b, n) => getKernel('conv2d', b.name)(b, { ...convArgs(n), kernelH: 7 }),
    error: ArgumentError,
    message: 'conv2d: kernelH 7 is larger than the padded height 6 (height 4 + 2·padH 1)',
  },
  {
    what: 'conv2d stride 0',
    call: (b, n) => getKernel('conv2d', b.name)(b, { ...convArgs(n), strideW: 0 }),
    error: ArgumentError,
    message: 'conv2d: strideW should be at least 1 but is 0',
  },
  {
    what: 'conv2dBackwardInput weight',
    call: (b, n) => getKernel('conv2dBackwardInput', b.name)(b, { ...convInput(n), weight: n(53) }),
    error: ShapeError,
    message: 'conv2dBackwardInput: weight should hold 2x3x3x3 = 54 elements but holds 53',
  },
  {
    what: 'conv2dBackwardInput dx',
    call: (b, n) => getKernel('conv2dBackwardInput', b.name)(b, { ...convInput(n), dx: n(97) }),
    error: ShapeError,
    message: 'conv2dBackwardInput: dx should hold 2x3x4x4 = 96 elements but holds 97',
  },
  {
    what: 'conv2dBackwardWeight dout',
    call: (b, n) => getKernel('conv2dBackwardWeight', b.name)(b, { ...convWeight(n), dout: n(63) }),
    error: ShapeError,
    message: 'conv2dBackwardWeight: dout should hold 2x2x4x4 = 64 elements but holds 63',
  },
  {
    what: 'conv2dBackwardWeight dbias',
    call: (b, n) => getKernel('conv2dBackwardWeight', b.name)(b, { ...convWeight(n), dbias: n(1) }),
    error: ShapeError,
    message: 'conv2dBackwardWeight: dbias should hold 2 elements (channels) but holds 1',
  },
  {
    what: 'conv2dBackwardWeight kernel larger than the padded input',
    call: (b, n) => getKernel('conv2dBackwardWeight', b.name)(b, { ...convWeight(n), kernelW: 9, padW: 2 }),
    error: ArgumentError,
    message: 'conv2dBackwardWeight: kernelW 9 is larger than the padded width 8 (width 4 + 2·padW 2)',
  },
  {
    what: 'maxPool2d indices',
    call: (b, n) => getKernel('maxPool2d', b.name)(b, { ...poolArgs(n), indices: new Int32Array(7) }),
    error: ShapeError,
    message: 'maxPool2d: indices should hold 1x2x2x2 = 8 elements but holds 7',
  },
  {
    what: 'maxPool2d x',
    call: (b, n) => getKernel('maxPool2d', b.name)(b, { ...poolArgs(n), x: n(31) }),
    error: ShapeError,
    message: 'maxPool2d: x should hold 1x2x4x4 = 32 elements but holds 31',
  },
  {
    what: 'maxPool2d padding over half the kernel',
    call: (b, n) => getKernel('maxPool2d', b.name)(b, { ...poolArgs(n), padW: 2 }),
    error: ArgumentError,
    message: 'maxPool2d: padW 2 should be at most half of kernelW 2, as in PyTorch',
  },
  {
    what: 'maxPool2d kernel larger than the padded input',
    call: (b, n) => getKernel('maxPool2d', b.name)(b, { ...poolArgs(n), kernelH: 5 }),
    error: ArgumentError,
    message: 'maxPool2d: kernelH 5 is larger than the padded height 4 (height 4 + 2·padH 0)',
  },
  {
    what: 'maxPool2dBackward dx',
    call: (b, n) => getKernel('maxPool2dBackward', b.name)(b, { ...poolBackward(n), dx: n(16) }),
    error: ShapeError,
    message: 'maxPool2dBackward: dx should hold 1x2x4x4 = 32 elements but holds 16',
  },
  {
    what: 'maxPool2dBackward index outside the plane',
    call: (b, n) => getKernel('maxPool2dBackward', b.name)(b, { ...poolBackward(n), indices: Int32Array.of(0, 1, 2, 16, 0, 0, 0, 0) }),
    error: ArgumentError,
    message: 'maxPool2dBackward: indices[3] = 16 is not an index in 0..16',
  },
];

describe.each(['js', 'native', 'wasm'] as const)('convolution and pooling argument errors on %s', (name) => {
  const backend = getBackend(name);
  const alloc = (n: number) => backend.allocate(n, 'float32');

  it.each(BAD_CALLS.map((c) => [c.what, c] as const))('%s: the error class and message, word for word as dlp-kernels', (_what, c) => {
    expect(() => c.call(backend, alloc)).toThrow(c.error);
    expect(() => c.call(backend, alloc)).toThrow(c.message);
  });

  it('an output sharing memory with an input is refused', () => {
    // 3 output channels: out has x's length, so only the shared memory is wrong.
    const x = alloc(96);
    const call = () => getKernel('conv2d', name)(backend, { ...cg, outChannels: 3, x, weight: alloc(81), out: x });
    expect(call).toThrow(ArgumentError);
    expect(call).toThrow(/^conv2d: out .*overlaps x; the output must be a separate buffer$/);
  });
});
