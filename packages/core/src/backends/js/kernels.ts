/**
 * Registers every js kernel, concern by concern (gemm, elementwise, loss, layout, norm, optim,
 * conv, images: the files of kernels/ and of this folder; layout's slices in slice.ts, conv's
 * average poolings in avg-pool.ts), once; the JsBackend constructor calls it.
 */

import { registerJsAvgPoolKernels } from './avg-pool.js';
import { registerJsConvKernels } from './conv.js';
import { registerJsElementwiseKernels } from './elementwise.js';
import { registerJsGemmKernels } from './gemm.js';
import { registerJsImageKernels } from './images.js';
import { registerJsLayoutKernels } from './layout.js';
import { registerJsLossKernels } from './loss.js';
import { registerJsNormKernels } from './norm.js';
import { registerJsOptimKernels } from './optim.js';
import { registerJsSliceKernels } from './slice.js';

let registered = false;

/**
 * Each kernel checks its arguments exactly as dlp-kernels does (same messages), then runs the
 * plain loops; on float64 storages they are the oracle the fast backends and gradient checks use.
 */
export function registerJsKernels(): void {
  if (registered) return;
  registered = true;
  registerJsGemmKernels();
  registerJsElementwiseKernels();
  registerJsLossKernels();
  registerJsLayoutKernels();
  registerJsSliceKernels();
  registerJsNormKernels();
  registerJsOptimKernels();
  registerJsConvKernels();
  registerJsAvgPoolKernels();
  registerJsImageKernels();
}
