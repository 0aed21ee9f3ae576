/**
 * @dlp/core for browser pages (`@dlp/core/browser`): everything but the Node-only parts (no
 * native addon, no file reading: test/browser-bundle.test.ts holds it to that). Load the wasm
 * backend with `await loadBackend('wasm', { wasmUrl })`.
 */

import './backends/wasm/register-browser.js';
import './backends/js/register.js';

export { Tensor, type TensorOptions } from './tensor.js';
export * from './ops/index.js';
export * as ops from './ops/index.js';
export { noGrad, enableGrad, isGradEnabled } from './autograd/grad-mode.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * as autograd from './autograd/index.js';
export * as models from './models/index.js';
export * as data from './data/portable.js';
export * as train from './train/portable.js';
export * as manual from './manual/index.js';
export * as plot from './plot/portable.js';
export type { DType, TypedArray } from './dtype.js';
export { type Shape, formatShape, sizeOf } from './shape.js';
export type { Backend, BackendName, Storage } from './backends/backend.js';
export { getBackend, loadBackend, autoBackend, onBackendFallback, setDefaultBackend, type LoadBackendOptions } from './backends/registry.js';
export { getKernel } from './kernels/registry.js';
export { KernelProfile, type KernelProfileEntry } from './kernels/profile.js';
export { gemmReference } from './backends/js/gemm.js';
export { wasmSimdSupported } from './backends/wasm/load.js';
export {
  DlpError,
  ShapeError,
  DTypeError,
  BackendUnavailableError,
  DataError,
  ArgumentError,
  AllocationError,
  DisposedTensorError,
} from './errors.js';
export { Rng } from './random.js';
