/**
 * Loads the napi-rs addon (crates/node) built into packages/core/native/ by
 * `pnpm --filter @dlp/core build:native`, through the loader napi-rs generates.
 */

import { BackendUnavailableError } from '../../errors.js';
import { corePackageRoot, nodeBuiltins } from '../../node-builtins.js';
import type { Conv2dGeometry, MaxPool2dGeometry } from '../../kernels/conv-args.js';

/**
 * The addon's functions (they mirror native/index.d.ts, generated from crates/node). Outputs are
 * written in place; an output may be its input only where the kernel says so (biasAdd's out = x,
 * elu's out = x, eluBackward's dx = dout), and any other shared memory throws. Wrong lengths
 * throw an Error with dlp-kernels' message.
 */
export interface NativeBinding {
  sgemm(
    transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
    a: Float32Array, b: Float32Array, beta: number, c: Float32Array, threads: number,
  ): void;
  biasAdd(x: Float32Array, bias: Float32Array, out: Float32Array, rows: number, cols: number): void;
  columnSum(x: Float32Array, out: Float32Array, rows: number, cols: number, beta: number): void;
  elu(x: Float32Array, out: Float32Array, alpha: number): void;
  eluBackward(x: Float32Array, dout: Float32Array, dx: Float32Array, alpha: number): void;
  softmax(x: Float32Array, out: Float32Array, rows: number, cols: number): void;
  softmaxBackward(s: Float32Array, dout: Float32Array, dx: Float32Array, rows: number, cols: number): void;
  /** The mean loss. */
  crossEntropy(probs: Float32Array, targets: Float32Array, rows: number, cols: number): number;
  crossEntropyBackward(probs: Float32Array, targets: Float32Array, dprobs: Float32Array, rows: number, cols: number): void;
  /** The mean loss; fills dlogits and probs when given. */
  softmaxCrossEntropy(
    logits: Float32Array, labels: Int32Array, rows: number, cols: number,
    dlogits?: Float32Array | null, probs?: Float32Array | null,
  ): number;
  sgdUpdate(param: Float32Array, grad: Float32Array, lr: number): void;
  gatherCenterU8(pixels: Uint8Array, indices: Uint32Array, mean: Float32Array, out: Float32Array): void;
  // Autograd ops (crates/node/src/tensor_ops.rs): ops by name; shapes and strides as number arrays.
  unary(op: string, x: Float32Array, out: Float32Array): void;
  unaryBackward(op: string, x: Float32Array, y: Float32Array, dout: Float32Array, dx: Float32Array): void;
  binary(
    op: string, shape: readonly number[], a: Float32Array, aStrides: readonly number[],
    b: Float32Array, bStrides: readonly number[], out: Float32Array,
  ): void;
  copyStrided(shape: readonly number[], x: Float32Array, strides: readonly number[], out: Float32Array): void;
  reduceSum(x: Float32Array, shape: readonly number[], axes: readonly boolean[], out: Float32Array, beta: number): void;
  /** Writes the argmax into `indices` in place. */
  maxAlong(x: Float32Array, outer: number, size: number, inner: number, out: Float32Array, indices: Int32Array): void;
  maxAlongBackward(dout: Float32Array, indices: Int32Array, outer: number, size: number, inner: number, dx: Float32Array): void;
  logSoftmax(x: Float32Array, out: Float32Array, rows: number, cols: number): void;
  logSoftmaxBackward(y: Float32Array, dout: Float32Array, dx: Float32Array, rows: number, cols: number): void;
  /** The mean loss. */
  nllLoss(logp: Float32Array, labels: Int32Array, rows: number, cols: number): number;
  nllLossBackward(labels: Int32Array, rows: number, cols: number, scale: number, dlogp: Float32Array): void;
  axpy(x: Float32Array, y: Float32Array, alpha: number): void;
  // Normalisation and optimisers (crates/node/src/norm_optim.rs; semantics in kernels/norm-args.ts,
  // kernels/optim-args.ts). Optional arrays may be undefined; every output must be a separate buffer.
  batchNormTrain(
    x: Float32Array, outer: number, channels: number, inner: number, gamma: Float32Array | undefined,
    beta: Float32Array | undefined, eps: number, out: Float32Array, mean: Float32Array, invStd: Float32Array,
    runningMean: Float32Array | undefined, runningVar: Float32Array | undefined, momentum: number, threads: number,
  ): void;
  batchNormInference(
    x: Float32Array, outer: number, channels: number, inner: number, runningMean: Float32Array, runningVar: Float32Array,
    gamma: Float32Array | undefined, beta: Float32Array | undefined, eps: number, out: Float32Array, threads: number,
  ): void;
  batchNormBackward(
    x: Float32Array, dout: Float32Array, outer: number, channels: number, inner: number, mean: Float32Array,
    invStd: Float32Array, gamma: Float32Array | undefined, dx: Float32Array | undefined,
    dgamma: Float32Array | undefined, dbeta: Float32Array | undefined, threads: number,
  ): void;
  layerNorm(
    x: Float32Array, rows: number, cols: number, gamma: Float32Array | undefined, beta: Float32Array | undefined,
    eps: number, out: Float32Array, mean: Float32Array, invStd: Float32Array,
  ): void;
  layerNormBackward(
    x: Float32Array, dout: Float32Array, rows: number, cols: number, mean: Float32Array, invStd: Float32Array,
    gamma: Float32Array | undefined, dx: Float32Array | undefined, dgamma: Float32Array | undefined,
    dbeta: Float32Array | undefined,
  ): void;
  sgdStep(
    param: Float32Array, grad: Float32Array, momentumBuffer: Float32Array | undefined, lr: number, momentum: number,
    dampening: number, nesterov: boolean, weightDecay: number, firstStep: boolean, threads: number,
  ): void;
  adamStep(
    param: Float32Array, grad: Float32Array, expAvg: Float32Array, expAvgSq: Float32Array, lr: number, beta1: number,
    beta2: number, eps: number, weightDecay: number, step: number, threads: number,
  ): void;
  // Convolution and max pooling (crates/node/src/conv.rs): the geometry is the kernel's own args object.
  conv2d(x: Float32Array, weight: Float32Array, bias: Float32Array | undefined, out: Float32Array, geometry: Conv2dGeometry, threads: number): void;
  conv2dBackwardInput(dout: Float32Array, weight: Float32Array, dx: Float32Array, geometry: Conv2dGeometry, threads: number): void;
  conv2dBackwardWeight(
    x: Float32Array, dout: Float32Array, dweight: Float32Array, dbias: Float32Array | undefined, geometry: Conv2dGeometry, threads: number,
  ): void;
  maxPool2d(x: Float32Array, out: Float32Array, indices: Int32Array, geometry: MaxPool2dGeometry): void;
  maxPool2dBackward(dout: Float32Array, indices: Int32Array, dx: Float32Array, geometry: MaxPool2dGeometry): void;
  availableThreads(): number;
  simdLevel(): string;
  /** glibc's malloc keeps freed memory in the process (crates/node/src/memory.rs); false elsewhere. */
  retainFreedMemory(): boolean;
}

let binding: NativeBinding | undefined;

export function loadNativeBinding(): NativeBinding {
  if (binding) return binding;
  const node = nodeBuiltins('the native backend');
  const loader = node.path.join(corePackageRoot(node), 'native', 'index.cjs');
  if (!node.fs.existsSync(loader)) {
    throw new BackendUnavailableError(
      `native backend unavailable: the addon is not built (${loader} is missing); ` +
        'run `pnpm --filter @dlp/core build:native` (needs Rust), or use --backend wasm or js',
    );
  }
  try {
    binding = node.module.createRequire(import.meta.url)(loader) as NativeBinding;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new BackendUnavailableError(`native backend unavailable: loading ${loader} failed: ${reason}`);
  }
  return binding;
}
