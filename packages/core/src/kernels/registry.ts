/**
 * Kernels looked up by (name, backend). A backend makes its kernels available by registering
 * them; core ops call `getKernel`, so adding a backend or a kernel changes nothing else.
 */

import type { Backend, BackendName, Storage } from '../backends/backend.js';
import { DlpError } from '../errors.js';
import type {
  Conv2dArgs,
  Conv2dBackwardInputArgs,
  Conv2dBackwardWeightArgs,
  MaxPool2dArgs,
  MaxPool2dBackwardArgs,
} from './conv-args.js';
import type {
  BatchNormBackwardArgs,
  BatchNormInferenceArgs,
  BatchNormTrainArgs,
  LayerNormArgs,
  LayerNormBackwardArgs,
} from './norm-args.js';
import type { AdamStepArgs, SgdStepArgs } from './optim-args.js';
import type {
  AxpyArgs,
  BinaryArgs,
  CopyArgs,
  LogSoftmaxArgs,
  LogSoftmaxBackwardArgs,
  MaxAlongArgs,
  MaxAlongBackwardArgs,
  NllLossArgs,
  NllLossBackwardArgs,
  ReduceSumArgs,
  UnaryArgs,
  UnaryBackwardArgs,
} from './tensor-op-args.js';

/** C = alpha·op(A)·op(B) + beta·C over row-major storages (C is m×n). */
export interface GemmArgs {
  transA: boolean;
  transB: boolean;
  m: number;
  n: number;
  k: number;
  alpha: number;
  beta: number;
  a: Storage;
  b: Storage;
  c: Storage;
}

/** out[r][c] = x[r][c] + bias[c] over a rows×cols matrix (out may be x: in place). */
export interface BiasAddArgs {
  x: Storage;
  bias: Storage;
  out: Storage;
  rows: number;
  cols: number;
}

/** out[c] = beta·out[c] + Σ_r x[r][c]: column sums of a rows×cols matrix (a bias gradient). */
export interface ColumnSumArgs {
  x: Storage;
  out: Storage;
  rows: number;
  cols: number;
  beta: number;
}

/** ELU, elementwise: out = x > 0 ? x : alpha·(eˣ − 1) (out may be x). */
export interface EluArgs {
  x: Storage;
  out: Storage;
  alpha: number;
}

/** ELU backward from its input: dx = dout · (x > 0 ? 1 : alpha·eˣ) (dx may be dout). */
export interface EluBackwardArgs {
  x: Storage;
  dout: Storage;
  dx: Storage;
  alpha: number;
}

/** Row softmax with the max trick: out[r] = exp(x[r] − max x[r]) / Σ exp(x[r] − max x[r]). */
export interface SoftmaxArgs {
  x: Storage;
  out: Storage;
  rows: number;
  cols: number;
}

/** Softmax backward from its output s: dx[r] = s[r] ∘ (dout[r] − Σ_c dout[r][c]·s[r][c]). */
export interface SoftmaxBackwardArgs {
  s: Storage;
  dout: Storage;
  dx: Storage;
  rows: number;
  cols: number;
}

/**
 * Cross-entropy of probabilities against one-hot (or soft) targets, mean over rows:
 * loss = −(1/rows)·Σ t·log p, terms with t = 0 skipped. The kernel returns the loss.
 */
export interface CrossEntropyArgs {
  probs: Storage;
  targets: Storage;
  rows: number;
  cols: number;
}

/** Gradient of CrossEntropyArgs' loss wrt the probabilities: dprobs = −t / (p·rows). */
export interface CrossEntropyBackwardArgs {
  probs: Storage;
  targets: Storage;
  dprobs: Storage;
  rows: number;
  cols: number;
}

/**
 * Fused softmax + cross-entropy on logits with integer labels (0..cols−1), mean over rows.
 * Returns the loss; writes dlogits = (softmax − onehot)/rows and probs when given.
 */
export interface SoftmaxCrossEntropyArgs {
  logits: Storage;
  labels: Int32Array;
  rows: number;
  cols: number;
  dlogits?: Storage;
  probs?: Storage;
}

/** Plain SGD step: param −= lr·grad. */
export interface SgdUpdateArgs {
  param: Storage;
  grad: Storage;
  lr: number;
}

/**
 * A batch of uint8 images as network input: out[r][j] = pixels[indices[r]·d + j] − mean[j],
 * d = mean.length (3072 for CIFAR-10). The dataset stays in host memory as bytes.
 */
export interface GatherCenterArgs {
  pixels: Uint8Array;
  indices: Uint32Array;
  mean: Float32Array;
  out: Storage;
}

/** Every kernel's signature, by name. Later kernels (conv2d, batchnorm, ...) add entries here. */
export interface KernelSignatures {
  gemm: (backend: Backend, args: GemmArgs) => void;
  biasAdd: (backend: Backend, args: BiasAddArgs) => void;
  columnSum: (backend: Backend, args: ColumnSumArgs) => void;
  elu: (backend: Backend, args: EluArgs) => void;
  eluBackward: (backend: Backend, args: EluBackwardArgs) => void;
  softmax: (backend: Backend, args: SoftmaxArgs) => void;
  softmaxBackward: (backend: Backend, args: SoftmaxBackwardArgs) => void;
  crossEntropy: (backend: Backend, args: CrossEntropyArgs) => number;
  crossEntropyBackward: (backend: Backend, args: CrossEntropyBackwardArgs) => void;
  softmaxCrossEntropy: (backend: Backend, args: SoftmaxCrossEntropyArgs) => number;
  sgdUpdate: (backend: Backend, args: SgdUpdateArgs) => void;
  gatherCenter: (backend: Backend, args: GatherCenterArgs) => void;
  // Autograd ops (tensor-op-args.ts).
  unary: (backend: Backend, args: UnaryArgs) => void;
  unaryBackward: (backend: Backend, args: UnaryBackwardArgs) => void;
  binary: (backend: Backend, args: BinaryArgs) => void;
  copy: (backend: Backend, args: CopyArgs) => void;
  reduceSum: (backend: Backend, args: ReduceSumArgs) => void;
  maxAlong: (backend: Backend, args: MaxAlongArgs) => void;
  maxAlongBackward: (backend: Backend, args: MaxAlongBackwardArgs) => void;
  logSoftmax: (backend: Backend, args: LogSoftmaxArgs) => void;
  logSoftmaxBackward: (backend: Backend, args: LogSoftmaxBackwardArgs) => void;
  nllLoss: (backend: Backend, args: NllLossArgs) => number;
  nllLossBackward: (backend: Backend, args: NllLossBackwardArgs) => void;
  axpy: (backend: Backend, args: AxpyArgs) => void;
  // Normalisation (norm-args.ts).
  batchNormTrain: (backend: Backend, args: BatchNormTrainArgs) => void;
  batchNormInference: (backend: Backend, args: BatchNormInferenceArgs) => void;
  batchNormBackward: (backend: Backend, args: BatchNormBackwardArgs) => void;
  layerNorm: (backend: Backend, args: LayerNormArgs) => void;
  layerNormBackward: (backend: Backend, args: LayerNormBackwardArgs) => void;
  // Convolution and pooling (conv-args.ts).
  conv2d: (backend: Backend, args: Conv2dArgs) => void;
  conv2dBackwardInput: (backend: Backend, args: Conv2dBackwardInputArgs) => void;
  conv2dBackwardWeight: (backend: Backend, args: Conv2dBackwardWeightArgs) => void;
  maxPool2d: (backend: Backend, args: MaxPool2dArgs) => void;
  maxPool2dBackward: (backend: Backend, args: MaxPool2dBackwardArgs) => void;
  // Optimisers (optim-args.ts).
  sgdStep: (backend: Backend, args: SgdStepArgs) => void;
  adamStep: (backend: Backend, args: AdamStepArgs) => void;
}

export type KernelName = keyof KernelSignatures;

/** Every kernel name (the record makes the compiler insist that none is missing). */
export const KERNEL_NAMES = Object.keys({
  gemm: true, biasAdd: true, columnSum: true, elu: true, eluBackward: true, softmax: true, softmaxBackward: true,
  crossEntropy: true, crossEntropyBackward: true, softmaxCrossEntropy: true, sgdUpdate: true, gatherCenter: true,
  unary: true, unaryBackward: true, binary: true, copy: true, reduceSum: true, maxAlong: true, maxAlongBackward: true,
  logSoftmax: true, logSoftmaxBackward: true, nllLoss: true, nllLossBackward: true, axpy: true,
  batchNormTrain: true, batchNormInference: true, batchNormBackward: true, layerNorm: true, layerNormBackward: true,
  conv2d: true, conv2dBackwardInput: true, conv2dBackwardWeight: true, maxPool2d: true, maxPool2dBackward: true,
  sgdStep: true, adamStep: true,
} satisfies Record<KernelName, true>) as KernelName[];

/** A kernel asked of a backend that does not have it. */
export class KernelNotFoundError extends DlpError {
  override readonly name = 'KernelNotFoundError';
}

const registry = new Map<string, unknown>();

const key = (name: KernelName, backend: BackendName) => `${backend}/${name}`;

export function registerKernel<K extends KernelName>(name: K, backend: BackendName, impl: KernelSignatures[K]): void {
  registry.set(key(name, backend), impl);
}

export function getKernel<K extends KernelName>(name: K, backend: BackendName): KernelSignatures[K] {
  const impl = registry.get(key(name, backend));
  if (impl === undefined) {
    throw new KernelNotFoundError(`kernel '${name}' is not implemented on the ${backend} backend`);
  }
  return impl as KernelSignatures[K];
}

export function hasKernel(name: KernelName, backend: BackendName): boolean {
  return registry.has(key(name, backend));
}
