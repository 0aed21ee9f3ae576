/**
 * Convolution and pooling argument errors on js, native and wasm: the error class and message,
 * word for word as dlp-kernels, and an output sharing memory with an input refused.
 */

import { describe, expect, it } from 'vitest';
import { ArgumentError, getBackend, getKernel, ShapeError, type Backend, type Storage } from '../../src/index.js';
import type { Conv2dGeometry, MaxPool2dGeometry } from '../../src/kernels/conv.js';

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
    message: 'maxPool2dBackward: indices[3] = 16 is not an index in 0..15',
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
