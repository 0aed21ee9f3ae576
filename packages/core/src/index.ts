// The declarations of the plotting API (chart.js's chart configurations) and of the wasm loader
// (WebAssembly.Memory, BufferSource) use types of TypeScript's DOM library, which a Node
// project's tsconfig usually leaves out; this reference brings it into a consumer's type-check,
// so `import '@dlp/core'` checks under any strict settings (test: packages/packed-install).
/// <reference lib="dom" preserve="true" />
/**
 * @dlp/core: tensors with autograd on three backends (native Rust, wasm SIMD, pure-TypeScript
 * reference), the kernels they run, nn layers, optimisers, and the CIFAR-10 data pipeline.
 *
 * @example
 * import { Tensor, matmul, getBackend } from '@dlp/core';
 * const a = Tensor.from([1, 2, 3, 4, 5, 6], [2, 3], { backend: 'native' });
 * const b = Tensor.from([1, 0, 0, 1, 1, 1], [3, 2], { backend: 'native' });
 * matmul(a, b).toArray(); // Float32Array [4, 5, 10, 11]
 */

// The backends this entry offers register themselves (the browser entry has wasm and js only).
import './backends/cuda/register.js';
import './backends/native/register.js';
import './backends/wasm/register-node.js';
import './backends/js/register.js';

export { Tensor, type TensorOptions } from './tensor.js';
export * from './ops/index.js';
export * as ops from './ops/index.js';
export { noGrad, enableGrad, isGradEnabled } from './autograd/grad-mode.js';
export * as autograd from './autograd/index.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * as models from './models/index.js';
export type { DType, TypedArray } from './dtype.js';
export { type Shape, formatShape, sizeOf } from './shape.js';
export type { Backend, BackendName, Storage } from './backends/backend.js';
export { BACKEND_NAMES } from './backends/backend.js';
export {
  getBackend,
  loadBackend,
  defaultBackend,
  autoBackend,
  onBackendFallback,
  setDefaultBackend,
  parseBackendName,
  registerBackend,
  type BackendFactory,
  type LoadBackendOptions,
} from './backends/registry.js';
export { getKernel, hasKernel, registerKernel, KernelNotFoundError } from './kernels/registry.js';
export { KernelProfile, type KernelProfileEntry } from './kernels/profile.js';
export { ProgressLine, progressBar, type TextStream } from './ui/progress-line.js';
export type { KernelName, KernelSignatures } from './kernels/registry.js';
export type { GemmArgs } from './kernels/gemm.js';
export { gemmReference } from './backends/js/gemm.js';
export { wasmSimdSupported } from './backends/wasm/load.js';
export {
  DlpError,
  ShapeError,
  DTypeError,
  BackendUnavailableError,
  DataError,
  ArgumentError,
  MissingDependencyError,
  WeightsFormatError,
  AllocationError,
  DisposedTensorError,
  DistributedError,
} from './errors.js';
export { Rng } from './random.js';
export * as data from './data/index.js';
export * as manual from './manual/index.js';
export * as gradcheck from './gradcheck/index.js';
export * as train from './train/index.js';
export * as distributed from './distributed/index.js';
export * as io from './io/index.js';
export * as plot from './plot/index.js';
