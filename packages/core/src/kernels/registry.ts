/**
 * Kernels looked up by (name, backend). A backend makes its kernels available by registering
 * them; core ops call `getKernel`, so adding a backend or a kernel changes nothing else.
 */

import type { Backend, BackendName } from '../backends/backend.js';
import { DlpError } from '../errors.js';
import type { Conv2dArgs, Conv2dBackwardInputArgs, Conv2dBackwardWeightArgs, MaxPool2dArgs, MaxPool2dBackwardArgs } from './conv.js';
import type { AxpyArgs, BiasAddArgs, BinaryArgs, ColumnSumArgs, EluArgs, EluBackwardArgs, UnaryArgs, UnaryBackwardArgs } from './elementwise.js';
import type { GemmArgs } from './gemm.js';
import type { GatherCenterArgs } from './images.js';
import type { CopyArgs, MaxAlongArgs, MaxAlongBackwardArgs, ReduceSumArgs } from './layout.js';
import type {
  CrossEntropyArgs,
  CrossEntropyBackwardArgs,
  LogSoftmaxArgs,
  LogSoftmaxBackwardArgs,
  NllLossArgs,
  NllLossBackwardArgs,
  SoftmaxArgs,
  SoftmaxBackwardArgs,
  SoftmaxCrossEntropyArgs,
} from './loss.js';
import type { BatchNormBackwardArgs, BatchNormInferenceArgs, BatchNormTrainArgs, LayerNormArgs, LayerNormBackwardArgs } from './norm.js';
import type { AdamStepArgs, SgdStepArgs, SgdUpdateArgs } from './optim.js';

/**
 * Every kernel's signature, by name; the argument types live in this folder by concern
 * (gemm, elementwise, loss, layout, norm, optim, conv, images), as the Rust contract's do.
 */
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
  // Autograd ops (elementwise.ts, layout.ts, loss.ts).
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
  // Normalisation (norm.ts).
  batchNormTrain: (backend: Backend, args: BatchNormTrainArgs) => void;
  batchNormInference: (backend: Backend, args: BatchNormInferenceArgs) => void;
  batchNormBackward: (backend: Backend, args: BatchNormBackwardArgs) => void;
  layerNorm: (backend: Backend, args: LayerNormArgs) => void;
  layerNormBackward: (backend: Backend, args: LayerNormBackwardArgs) => void;
  // Convolution and pooling (conv.ts).
  conv2d: (backend: Backend, args: Conv2dArgs) => void;
  conv2dBackwardInput: (backend: Backend, args: Conv2dBackwardInputArgs) => void;
  conv2dBackwardWeight: (backend: Backend, args: Conv2dBackwardWeightArgs) => void;
  maxPool2d: (backend: Backend, args: MaxPool2dArgs) => void;
  maxPool2dBackward: (backend: Backend, args: MaxPool2dBackwardArgs) => void;
  // Optimisers (optim.ts).
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
