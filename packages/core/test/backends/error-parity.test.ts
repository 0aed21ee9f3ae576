/**
 * Error parity: every kernel, called with a bad argument, fails the same way on js, native and
 * wasm: the same error class (ShapeError or ArgumentError, the one the case expects) and the
 * same message, word for word. Each kernel has a valid call (which must succeed everywhere),
 * a wrong-length buffer (ShapeError) and, when it has an output, an output sharing memory with
 * an input (ArgumentError); some have other bad arguments too (a label out of range, an
 * unknown op, a size that is not an integer in [0, 2^32)). The table is keyed by kernel name,
 * so the compiler, and the first test, insist on cases for every kernel in KERNEL_NAMES.
 */

import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  getBackend,
  getKernel,
  ShapeError,
  type Backend,
  type BackendName,
  type KernelName,
  type KernelSignatures,
  type Storage,
} from '../../src/index.js';
import type { JsStorage } from '../../src/backends/js/js-backend.js';
import type { NativeStorage } from '../../src/backends/native/native-backend.js';
import type { WasmStorage } from '../../src/backends/wasm/wasm-backend.js';
import type { BinaryOp, UnaryOp } from '../../src/kernels/elementwise.js';
import { KERNEL_NAMES } from '../../src/kernels/registry.js';

const BACKENDS: readonly BackendName[] = ['js', 'native', 'wasm'];

type Args<K extends KernelName> = Parameters<KernelSignatures[K]>[1];
/** The arguments of K that are storages (possibly optional ones). */
type StorageKey<K extends KernelName> = {
  [F in keyof Args<K>]-?: NonNullable<Args<K>[F]> extends Storage ? F : never;
}[keyof Args<K>];
type ErrorClass = typeof ShapeError | typeof ArgumentError;

/** What a case's arguments are made with, on one backend. */
interface Env {
  backend: Backend;
  /** A fresh float32 storage of `length` elements. */
  n: (length: number) => Storage;
  /** `length` elements of `storage` from `offset` on: a second storage on the same memory. */
  slice: (storage: Storage, offset: number, length: number) => Storage;
}

interface KernelCases<K extends KernelName> {
  /** Valid arguments: the call succeeds on every backend. */
  args: (env: Env) => Args<K>;
  /** This storage argument, given this (wrong) length instead: a ShapeError. */
  short: readonly [StorageKey<K>, number];
  /**
   * An output sharing memory with an input: an ArgumentError. Either this output given this
   * input's storage (`args`: valid arguments where the two have one length, when the usual ones
   * do not; `partly`: the two overlapping by all but one element, for kernels that may run in
   * place, where the very same storage is allowed), or arguments built for it, or (a string)
   * why the kernel has no such case.
   */
  overlap:
    | { out: StorageKey<K>; input: StorageKey<K>; partly?: boolean; args?: (env: Env) => Args<K> }
    | { what: string; args: (env: Env) => Args<K> }
    | string;
  /**
   * Other bad arguments: a change to the valid ones, the class it must raise, and the message
   * when pinned.
   */
  more?: ReadonlyArray<{
    what: string;
    error: ErrorClass;
    change: (env: Env) => Partial<Args<K>>;
    message?: string;
  }>;
}

const conv = { batch: 1, inChannels: 2, height: 3, width: 3, outChannels: 2, kernelH: 2, kernelW: 2, strideH: 1, strideW: 1, padH: 0, padW: 0 };
/** A 1×1 convolution with as many output channels as input ones: out has x's length. */
const conv1x1 = { ...conv, kernelH: 1, kernelW: 1 };
const pool = { batch: 1, channels: 2, height: 4, width: 4, kernelH: 2, kernelW: 2, strideH: 2, strideW: 2, padH: 0, padW: 0 };
/** A 1×1 pooling window: out has x's length. */
const pool1x1 = { ...pool, kernelH: 1, kernelW: 1, strideH: 1, strideW: 1 };
const avgPool = { ...pool, countIncludePad: true };
/** Adaptive bins of 4×4 planes down to 2×2: out 1x2x2x2 = 8; to 4×4, out has x's length. */
const adaptive = { batch: 1, channels: 2, height: 4, width: 4, outH: 2, outW: 2 };
/** A slice of 3 of the 5 entries of the middle axis of [2, 5, 4]: x [2, 3, 4] = 24, out 40. */
const slice = { outer: 2, total: 5, inner: 4, offset: 1, size: 3 };
/** The whole axis: both buffers of one length. */
const wholeSlice = { ...slice, total: 3, offset: 0 };

const CASES: { [K in KernelName]: KernelCases<K> } = {
  gemm: {
    args: ({ n }) => ({ transA: false, transB: false, m: 2, n: 3, k: 4, alpha: 1, beta: 0, a: n(8), b: n(12), c: n(6) }),
    short: ['c', 5],
    overlap: {
      out: 'c',
      input: 'a',
      args: ({ n }) => ({ transA: false, transB: true, m: 2, n: 2, k: 2, alpha: 1, beta: 0, a: n(4), b: n(4), c: n(4) }),
    },
    more: [{ what: 'm = -1', error: ArgumentError, change: () => ({ m: -1 }), message: 'gemm: m = -1 is not an integer in [0, 2^32)' }],
  },
  biasAdd: {
    args: ({ n }) => ({ x: n(6), bias: n(3), out: n(6), rows: 2, cols: 3 }),
    short: ['bias', 2],
    overlap: { out: 'out', input: 'bias', args: ({ n }) => ({ x: n(3), bias: n(3), out: n(3), rows: 1, cols: 3 }) },
  },
  columnSum: {
    args: ({ n }) => ({ x: n(6), out: n(3), rows: 2, cols: 3, beta: 0 }),
    short: ['out', 2],
    overlap: { out: 'out', input: 'x', args: ({ n }) => ({ x: n(3), out: n(3), rows: 1, cols: 3, beta: 0 }) },
  },
  elu: {
    args: ({ n }) => ({ x: n(4), out: n(4), alpha: 1 }),
    short: ['out', 3],
    overlap: { out: 'out', input: 'x', partly: true },
  },
  eluBackward: {
    args: ({ n }) => ({ x: n(4), dout: n(4), dx: n(4), alpha: 1 }),
    short: ['dx', 3],
    overlap: { out: 'dx', input: 'x' },
  },
  softmax: {
    args: ({ n }) => ({ x: n(6), out: n(6), rows: 2, cols: 3 }),
    short: ['out', 5],
    overlap: { out: 'out', input: 'x' },
    more: [
      { what: 'rows = -1', error: ArgumentError, change: () => ({ rows: -1 }), message: 'softmax: rows = -1 is not an integer in [0, 2^32)' },
      { what: 'cols = 2.5', error: ArgumentError, change: () => ({ cols: 2.5 }), message: 'softmax: cols = 2.5 is not an integer in [0, 2^32)' },
      { what: 'rows = NaN', error: ArgumentError, change: () => ({ rows: NaN }), message: 'softmax: rows = NaN is not an integer in [0, 2^32)' },
      { what: 'rows = 1e21', error: ArgumentError, change: () => ({ rows: 1e21 }), message: 'softmax: rows = 1e+21 is not an integer in [0, 2^32)' },
      { what: 'rows = 2^32', error: ArgumentError, change: () => ({ rows: 2 ** 32 }), message: 'softmax: rows = 4294967296 is not an integer in [0, 2^32)' },
      { what: 'rows = 1e-7', error: ArgumentError, change: () => ({ rows: 1e-7 }), message: 'softmax: rows = 1e-7 is not an integer in [0, 2^32)' },
    ],
  },
  softmaxBackward: {
    args: ({ n }) => ({ s: n(6), dout: n(6), dx: n(6), rows: 2, cols: 3 }),
    short: ['dout', 7],
    overlap: { out: 'dx', input: 's' },
  },
  crossEntropy: {
    args: ({ n }) => ({ probs: n(6), targets: n(6), rows: 2, cols: 3 }),
    short: ['targets', 5],
    overlap: 'no output: it returns the loss',
    more: [{ what: 'rows = Infinity', error: ArgumentError, change: () => ({ rows: Infinity }) }],
  },
  crossEntropyBackward: {
    args: ({ n }) => ({ probs: n(6), targets: n(6), dprobs: n(6), rows: 2, cols: 3 }),
    short: ['dprobs', 5],
    overlap: { out: 'dprobs', input: 'targets' },
  },
  softmaxCrossEntropy: {
    args: ({ n }) => ({ logits: n(6), labels: Int32Array.of(0, 2), rows: 2, cols: 3, dlogits: n(6), probs: n(6) }),
    short: ['probs', 5],
    overlap: { out: 'dlogits', input: 'logits' },
    more: [
      {
        what: 'a label out of range',
        error: ArgumentError,
        change: () => ({ labels: Int32Array.of(0, 3) }),
        message: 'softmaxCrossEntropy: labels[1] = 3 is not a class index in 0..2',
      },
      { what: 'a negative label', error: ArgumentError, change: () => ({ labels: Int32Array.of(-1, 0) }) },
      { what: 'one label for two rows', error: ShapeError, change: () => ({ labels: Int32Array.of(0) }) },
      { what: 'dlogits = probs', error: ArgumentError, change: ({ n }) => ((s) => ({ dlogits: s, probs: s }))(n(6)) },
    ],
  },
  sgdUpdate: {
    args: ({ n }) => ({ param: n(4), grad: n(4), lr: 0.1 }),
    short: ['grad', 3],
    overlap: { out: 'param', input: 'grad' },
  },
  gatherCenter: {
    args: ({ n }) => ({ pixels: new Uint8Array(9), indices: Uint32Array.of(2, 0), mean: new Float32Array(3), out: n(6) }),
    short: ['out', 5],
    // mean (a host Float32Array) is a view of out's memory: one image of 6 values.
    overlap: {
      what: 'out sharing the memory of mean',
      args: ({ n, backend }) =>
        ((out) => ({ pixels: new Uint8Array(6), indices: Uint32Array.of(0), mean: backend.view(out) as Float32Array, out }))(n(6)),
    },
    more: [
      {
        what: 'an image index out of range',
        error: ArgumentError,
        change: () => ({ indices: Uint32Array.of(0, 3) }),
        message: 'gatherCenter: image index 3 is outside 0..2',
      },
      { what: 'pixels not a whole number of images', error: ArgumentError, change: () => ({ pixels: new Uint8Array(8) }) },
      { what: 'an empty mean', error: ArgumentError, change: () => ({ mean: new Float32Array(0) }), message: 'gatherCenter: mean is empty' },
    ],
  },
  unary: {
    args: ({ n }) => ({ op: 'exp', x: n(4), out: n(4) }),
    short: ['out', 3],
    overlap: { out: 'out', input: 'x', partly: true },
    more: [
      {
        what: "op 'abs'",
        error: ArgumentError,
        change: () => ({ op: 'abs' as UnaryOp }),
        message: "unary: op 'abs' is not one of neg, exp, log, sqrt, relu, tanh, sigmoid",
      },
    ],
  },
  unaryBackward: {
    args: ({ n }) => ({ op: 'tanh', x: n(4), y: n(4), dout: n(4), dx: n(4) }),
    short: ['y', 5],
    overlap: { out: 'dx', input: 'y' },
    more: [{ what: "op 'gelu'", error: ArgumentError, change: () => ({ op: 'gelu' as UnaryOp }) }],
  },
  binary: {
    args: ({ n }) => ({ op: 'add', shape: [2, 3], a: n(6), aStrides: [3, 1], b: n(3), bStrides: [0, 1], out: n(6) }),
    short: ['out', 5],
    // out is b itself, read through broadcasting strides: refused (only a row-major operand may be
    // out), in a message that names no address.
    overlap: {
      out: 'out',
      input: 'b',
      args: ({ n }) => ({ op: 'add', shape: [2, 3], a: n(6), aStrides: [3, 1], b: n(6), bStrides: [0, 1], out: n(6) }),
    },
    more: [
      { what: "op 'pow'", error: ArgumentError, change: () => ({ op: 'pow' as BinaryOp }) },
      { what: 'shape [2, 1.5]', error: ArgumentError, change: () => ({ shape: [2, 1.5] }) },
      { what: 'aStrides [-3, 1]', error: ArgumentError, change: () => ({ aStrides: [-3, 1] }) },
      { what: 'bStrides with one entry', error: ShapeError, change: () => ({ bStrides: [1] }) },
    ],
  },
  copy: {
    args: ({ n }) => ({ shape: [2, 3], x: n(6), strides: [1, 2], out: n(6) }),
    short: ['x', 5],
    overlap: { out: 'out', input: 'x' },
    more: [{ what: 'shape [-2, 3]', error: ArgumentError, change: () => ({ shape: [-2, 3] }) }],
  },
  copyIntoSlice: {
    args: ({ n }) => ({ ...slice, x: n(24), out: n(40) }),
    short: ['x', 23],
    overlap: { out: 'out', input: 'x', args: ({ n }) => ({ ...wholeSlice, x: n(24), out: n(24) }) },
    more: [
      {
        what: 'a slice past the end of the axis',
        error: ArgumentError,
        change: () => ({ offset: 3 }),
        message: 'copyIntoSlice: the slice at offset 3 of size 3 ends past the axis of 5',
      },
      { what: 'offset = -1', error: ArgumentError, change: () => ({ offset: -1 }), message: 'copyIntoSlice: offset = -1 is not an integer in [0, 2^32)' },
    ],
  },
  copySlice: {
    args: ({ n }) => ({ ...slice, x: n(40), out: n(24) }),
    short: ['out', 25],
    overlap: { out: 'out', input: 'x', args: ({ n }) => ({ ...wholeSlice, x: n(24), out: n(24) }) },
    more: [{ what: 'a slice past the end of the axis', error: ArgumentError, change: () => ({ size: 5 }) }],
  },
  reduceSum: {
    args: ({ n }) => ({ x: n(6), shape: [2, 3], axes: [true, false], out: n(3), beta: 0 }),
    short: ['out', 2],
    overlap: { out: 'out', input: 'x', args: ({ n }) => ({ x: n(6), shape: [2, 3], axes: [false, false], out: n(6), beta: 0 }) },
    more: [{ what: 'axes with three entries', error: ShapeError, change: () => ({ axes: [true, false, true] }) }],
  },
  maxAlong: {
    args: ({ n }) => ({ x: n(24), outer: 2, size: 3, inner: 4, out: n(8), indices: new Int32Array(8) }),
    short: ['x', 23],
    overlap: { out: 'out', input: 'x', args: ({ n }) => ({ x: n(8), outer: 2, size: 1, inner: 4, out: n(8), indices: new Int32Array(8) }) },
    more: [
      { what: 'indices of the wrong length', error: ShapeError, change: () => ({ indices: new Int32Array(7) }) },
      { what: 'size = 0', error: ArgumentError, change: ({ n }) => ({ size: 0, x: n(0) }) },
      { what: 'inner = -4', error: ArgumentError, change: () => ({ inner: -4 }) },
    ],
  },
  maxAlongBackward: {
    args: ({ n }) => ({ dout: n(2), indices: Int32Array.of(0, 2), outer: 2, size: 3, inner: 1, dx: n(6) }),
    short: ['dx', 5],
    overlap: {
      out: 'dx',
      input: 'dout',
      args: ({ n }) => ({ dout: n(2), indices: Int32Array.of(0, 0), outer: 2, size: 1, inner: 1, dx: n(2) }),
    },
    more: [
      {
        what: 'an index out of range',
        error: ArgumentError,
        change: () => ({ indices: Int32Array.of(0, 3) }),
        message: 'maxAlongBackward: indices[1] = 3 is not an index in 0..2',
      },
    ],
  },
  logSoftmax: {
    args: ({ n }) => ({ x: n(6), out: n(6), rows: 2, cols: 3 }),
    short: ['x', 7],
    overlap: { out: 'out', input: 'x' },
    more: [{ what: 'rows = 1.5', error: ArgumentError, change: () => ({ rows: 1.5 }) }],
  },
  logSoftmaxBackward: {
    args: ({ n }) => ({ y: n(6), dout: n(6), dx: n(6), rows: 2, cols: 3 }),
    short: ['dx', 5],
    overlap: { out: 'dx', input: 'y' },
  },
  nllLoss: {
    args: ({ n }) => ({ logp: n(6), labels: Int32Array.of(1, 2), rows: 2, cols: 3 }),
    short: ['logp', 5],
    overlap: 'no output: it returns the loss',
    more: [
      {
        what: 'a label out of range',
        error: ArgumentError,
        change: () => ({ labels: Int32Array.of(1, 3) }),
        message: 'nllLoss: labels[1] = 3 is not a class index in 0..2',
      },
      { what: 'three labels for two rows', error: ShapeError, change: () => ({ labels: Int32Array.of(0, 1, 2) }) },
      { what: 'cols = -3', error: ArgumentError, change: () => ({ cols: -3 }) },
    ],
  },
  nllLossBackward: {
    args: ({ n }) => ({ labels: Int32Array.of(0, 2), rows: 2, cols: 3, scale: 1, dlogp: n(6) }),
    short: ['dlogp', 5],
    overlap: 'its only input, labels, is a host Int32Array (copied into wasm memory on wasm)',
    more: [{ what: 'a label out of range', error: ArgumentError, change: () => ({ labels: Int32Array.of(0, -2) }) }],
  },
  axpy: {
    args: ({ n }) => ({ x: n(4), y: n(4), alpha: 2 }),
    short: ['y', 3],
    overlap: { out: 'y', input: 'x' },
  },
  batchNormTrain: {
    args: ({ n }) => ({
      x: n(12), outer: 2, channels: 3, inner: 2, gamma: n(3), beta: n(3), eps: 1e-5,
      out: n(12), mean: n(3), invStd: n(3), runningMean: n(3), runningVar: n(3), momentum: 0.1,
    }),
    short: ['runningVar', 2],
    overlap: { out: 'out', input: 'x' },
    more: [
      { what: 'invStd = mean', error: ArgumentError, change: ({ n }) => ((s) => ({ mean: s, invStd: s }))(n(3)) },
      { what: 'channels = -3', error: ArgumentError, change: () => ({ channels: -3 }) },
      {
        what: 'runningVar with one value per channel',
        error: ArgumentError,
        change: ({ n }) => ({ x: n(3), out: n(3), outer: 1, inner: 1 }),
      },
    ],
  },
  batchNormInference: {
    args: ({ n }) => ({
      x: n(12), outer: 2, channels: 3, inner: 2, runningMean: n(3), runningVar: n(3), gamma: n(3), beta: n(3), eps: 1e-5, out: n(12),
    }),
    short: ['gamma', 4],
    overlap: { out: 'out', input: 'x' },
  },
  batchNormBackward: {
    args: ({ n }) => ({
      x: n(12), dout: n(12), outer: 2, channels: 3, inner: 2, mean: n(3), invStd: n(3), gamma: n(3), dx: n(12), dgamma: n(3), dbeta: n(3),
    }),
    short: ['dgamma', 2],
    overlap: { out: 'dx', input: 'dout' },
    more: [
      { what: 'dbeta = gamma', error: ArgumentError, change: ({ n }) => ((s) => ({ gamma: s, dbeta: s }))(n(3)) },
    ],
  },
  layerNorm: {
    args: ({ n }) => ({ x: n(6), rows: 2, cols: 3, gamma: n(3), beta: n(3), eps: 1e-5, out: n(6), mean: n(2), invStd: n(2) }),
    short: ['invStd', 3],
    overlap: { out: 'out', input: 'x' },
    more: [{ what: 'rows = 2^53 + 2', error: ArgumentError, change: () => ({ rows: 2 ** 53 + 2 }) }],
  },
  layerNormBackward: {
    args: ({ n }) => ({
      x: n(6), dout: n(6), rows: 2, cols: 3, mean: n(2), invStd: n(2), gamma: n(3), dx: n(6), dgamma: n(3), dbeta: n(3),
    }),
    short: ['x', 5],
    overlap: { out: 'dgamma', input: 'gamma' },
  },
  conv2d: {
    args: ({ n }) => ({ ...conv, x: n(18), weight: n(16), bias: n(2), out: n(8) }),
    short: ['weight', 15],
    overlap: { out: 'out', input: 'x', args: ({ n }) => ({ ...conv1x1, x: n(18), weight: n(4), out: n(18) }) },
    more: [
      { what: 'padH = -1', error: ArgumentError, change: () => ({ padH: -1 }), message: 'conv2d: padH = -1 is not an integer in [0, 2^32)' },
      { what: 'strideW = 0', error: ArgumentError, change: () => ({ strideW: 0 }) },
      { what: 'a kernel larger than the padded input', error: ArgumentError, change: () => ({ kernelH: 4 }) },
    ],
  },
  conv2dBackwardInput: {
    args: ({ n }) => ({ ...conv, dout: n(8), weight: n(16), dx: n(18) }),
    short: ['dx', 17],
    overlap: { out: 'dx', input: 'dout', args: ({ n }) => ({ ...conv1x1, dout: n(18), weight: n(4), dx: n(18) }) },
  },
  conv2dBackwardWeight: {
    args: ({ n }) => ({ ...conv, x: n(18), dout: n(8), dweight: n(16), dbias: n(2) }),
    short: ['dbias', 3],
    // One output channel and a kernel the size of the input: dweight has x's length.
    overlap: {
      out: 'dweight',
      input: 'x',
      args: ({ n }) => ({ ...conv, outChannels: 1, kernelH: 3, kernelW: 3, x: n(18), dout: n(1), dweight: n(18), dbias: n(1) }),
    },
  },
  maxPool2d: {
    args: ({ n }) => ({ ...pool, x: n(32), out: n(8), indices: new Int32Array(8) }),
    short: ['out', 9],
    overlap: { out: 'out', input: 'x', args: ({ n }) => ({ ...pool1x1, x: n(32), out: n(32), indices: new Int32Array(32) }) },
    more: [{ what: 'padW more than half the kernel', error: ArgumentError, change: () => ({ padW: 2 }) }],
  },
  maxPool2dBackward: {
    args: ({ n }) => ({ ...pool, dout: n(8), indices: Int32Array.from({ length: 8 }, (_, i) => i), dx: n(32) }),
    short: ['dx', 31],
    overlap: { out: 'dx', input: 'dout', args: ({ n }) => ({ ...pool1x1, dout: n(32), indices: new Int32Array(32), dx: n(32) }) },
    more: [{ what: 'an index outside the plane', error: ArgumentError, change: () => ({ indices: new Int32Array(8).fill(16) }) }],
  },
  avgPool2d: {
    args: ({ n }) => ({ ...avgPool, x: n(32), out: n(8) }),
    short: ['out', 7],
    overlap: { out: 'out', input: 'x', args: ({ n }) => ({ ...avgPool, ...pool1x1, x: n(32), out: n(32) }) },
    more: [
      { what: 'padH more than half the kernel', error: ArgumentError, change: () => ({ padH: 2 }) },
      { what: 'kernelW = 0', error: ArgumentError, change: () => ({ kernelW: 0 }), message: 'avgPool2d: kernelW should be at least 1 but is 0' },
      { what: 'an empty plane', error: ArgumentError, change: () => ({ height: 0, kernelH: 1, padH: 1 }) },
    ],
  },
  avgPool2dBackward: {
    args: ({ n }) => ({ ...avgPool, countIncludePad: false, dout: n(8), dx: n(32) }),
    short: ['dx', 33],
    overlap: { out: 'dx', input: 'dout', args: ({ n }) => ({ ...avgPool, ...pool1x1, dout: n(32), dx: n(32) }) },
  },
  adaptiveAvgPool2d: {
    args: ({ n }) => ({ ...adaptive, x: n(32), out: n(8) }),
    short: ['x', 31],
    overlap: { out: 'out', input: 'x', args: ({ n }) => ({ ...adaptive, outH: 4, outW: 4, x: n(32), out: n(32) }) },
    more: [
      { what: 'outH = 0', error: ArgumentError, change: ({ n }) => ({ outH: 0, out: n(0) }), message: 'adaptiveAvgPool2d: outH should be at least 1 but is 0' },
      {
        what: 'an empty plane',
        error: ArgumentError,
        change: ({ n }) => ({ width: 0, x: n(0) }),
        message: 'adaptiveAvgPool2d: the input plane is 4x0; a bin needs at least one pixel',
      },
    ],
  },
  adaptiveAvgPool2dBackward: {
    args: ({ n }) => ({ ...adaptive, outH: 3, outW: 1, dout: n(6), dx: n(32) }),
    short: ['dout', 8],
    overlap: { out: 'dx', input: 'dout', args: ({ n }) => ({ ...adaptive, outH: 4, outW: 4, dout: n(32), dx: n(32) }) },
    more: [{ what: 'outW = 2.5', error: ArgumentError, change: () => ({ outW: 2.5 }) }],
  },
  sgdStep: {
    args: ({ n }) => ({
      param: n(4), grad: n(4), momentumBuffer: n(4), lr: 0.1, momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 0, firstStep: true,
    }),
    short: ['momentumBuffer', 5],
    overlap: { out: 'momentumBuffer', input: 'grad' },
    more: [{ what: 'momentum without a buffer', error: ArgumentError, change: () => ({ momentumBuffer: undefined }) }],
  },
  adamStep: {
    args: ({ n }) => ({
      param: n(4), grad: n(4), expAvg: n(4), expAvgSq: n(4), lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, step: 1,
    }),
    short: ['expAvgSq', 3],
    overlap: { out: 'param', input: 'grad' },
    more: [
      { what: 'step = 0', error: ArgumentError, change: () => ({ step: 0 }) },
      {
        what: 'expAvg = expAvgSq',
        error: ArgumentError,
        change: ({ n }) => ((s) => ({ expAvg: s, expAvgSq: s }))(n(4)),
      },
    ],
  },
};

/** One bad call of one kernel: the error class every backend must throw. */
interface Case {
  name: string;
  kernel: KernelName;
  error: ErrorClass;
  /** The message (exact, or a pattern) when the case pins it; else only that all backends agree. */
  message?: string | RegExp;
  args: (env: Env) => object;
}

function casesOf<K extends KernelName>(kernel: K, c: KernelCases<K>): Case[] {
  const out: Case[] = [];
  const [field, length] = c.short;
  out.push({
    name: `${kernel}: ${String(field)} of length ${length}`,
    kernel,
    error: ShapeError,
    message: new RegExp(`^${kernel}: .* should hold .* but holds ${length}$`),
    args: (env) => ({ ...c.args(env), [field]: env.n(length) }),
  });
  if (typeof c.overlap === 'object') {
    const overlap = { kernel, error: ArgumentError };
    if ('what' in c.overlap) {
      out.push({ ...overlap, name: `${kernel}: ${c.overlap.what}`, args: c.overlap.args });
    } else {
      const { out: o, input, partly, args = c.args } = c.overlap;
      out.push({
        ...overlap,
        name: `${kernel}: ${String(o)} ${partly ? 'partly overlapping' : 'sharing the memory of'} ${String(input)}`,
        args: (env) => {
          const a = args(env) as unknown as Record<string, Storage>;
          if (!partly) return { ...a, [o]: a[input as string] };
          const length = a[input as string]!.length;
          const memory = env.n(length + 1);
          return { ...a, [input]: env.slice(memory, 0, length), [o]: env.slice(memory, 1, length) };
        },
      });
    }
  }
  for (const m of c.more ?? []) {
    const { what, change, ...rest } = m;
    out.push({ ...rest, name: `${kernel}: ${what}`, kernel, args: (env) => ({ ...c.args(env), ...change(env) }) });
  }
  return out;
}

function envOf(name: BackendName): Env {
  const backend = getBackend(name);
  const slice = (s: Storage, offset: number, length: number): Storage => {
    switch (name) {
      case 'js':
        return { ...s, array: (s as JsStorage).array.subarray(offset, offset + length), length } as JsStorage;
      case 'native':
        return { ...s, array: (s as NativeStorage).array.subarray(offset, offset + length), length } as NativeStorage;
      case 'wasm':
        return { ...s, ptr: (s as WasmStorage).ptr + 4 * offset, length } as WasmStorage;
      case 'cuda':
        throw new Error('the cuda backend has no kernels to compare yet');
    }
  };
  return { backend, n: (length) => backend.allocate(length, 'float32'), slice };
}

const ENVS = BACKENDS.map((name) => [name, envOf(name)] as const);

/** What calling the kernel did on each backend: the error thrown, or undefined. */
function outcomes(kernel: KernelName, args: (env: Env) => object): Record<BackendName, unknown> {
  const result = {} as Record<BackendName, unknown>;
  for (const [name, env] of ENVS) {
    const call = getKernel(kernel, name) as (b: Backend, a: object) => unknown;
    try {
      call(env.backend, args(env));
      result[name] = undefined;
    } catch (error) {
      result[name] = error;
    }
  }
  return result;
}

/** Each backend's message, once every backend has thrown. */
const messagesOf = (thrown: Record<BackendName, unknown>) =>
  Object.fromEntries(BACKENDS.map((name) => [name, (thrown[name] as Error).message])) as Record<BackendName, string>;

const ALL = KERNEL_NAMES.flatMap((k) => casesOf(k, CASES[k] as KernelCases<typeof k>));

describe('kernel error parity across js, native and wasm', () => {
  it('has cases for every kernel in KERNEL_NAMES: a wrong length, and an overlap unless there is a reason for none', () => {
    expect(Object.keys(CASES).sort()).toEqual([...KERNEL_NAMES].sort());
    for (const k of KERNEL_NAMES) {
      expect(ALL.some((c) => c.kernel === k && c.error === ShapeError), k).toBe(true);
      const overlap = (CASES[k] as KernelCases<typeof k>).overlap;
      if (typeof overlap === 'string') expect(overlap, k).not.toBe('');
      else expect(ALL.some((c) => c.kernel === k && c.error === ArgumentError), k).toBe(true);
    }
  });

  it.each(KERNEL_NAMES)('%s: the valid arguments the cases start from run on every backend', (kernel) => {
    const c = CASES[kernel] as KernelCases<typeof kernel>;
    const builds = [c.args, ...(typeof c.overlap === 'object' && 'out' in c.overlap && c.overlap.args ? [c.overlap.args] : [])];
    for (const build of builds) expect(outcomes(kernel, build)).toEqual({ js: undefined, native: undefined, wasm: undefined });
  });

  /** All three throw the case's class with one message. */
  function expectParity(c: Case): void {
    const thrown = outcomes(c.kernel, c.args);
    for (const name of BACKENDS) {
      const error = thrown[name];
      expect(error, `${name} did not throw`).toBeInstanceOf(Error);
      expect((error as Error).constructor, `${name}: ${String(error)}`).toBe(c.error);
    }
    const messages = messagesOf(thrown);
    expect(messages).toEqual({ js: messages.js, native: messages.js, wasm: messages.js });
    expect(messages.js.startsWith(`${c.kernel}: `)).toBe(true);
    if (typeof c.message === 'string') expect(messages.js).toBe(c.message);
    else if (c.message) expect(messages.js).toMatch(c.message);
  }

  it.each(ALL.map((c) => [c.name, c] as const))('%s', (_name, c) => expectParity(c));
});
