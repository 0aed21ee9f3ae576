/**
 * Where a module's tensors live: the `backend` and `dtype` options every layer and model
 * takes, resolved to a backend instance (the registry's default when none is named).
 */

import type { Backend } from './backends/backend.js';
import { defaultBackend, getBackend } from './backends/registry.js';
import type { DType } from './dtype.js';

export interface PlacementOptions {
  /** Backend or its name; default: the default backend. */
  backend?: Backend | string;
  /** float32 (default) or float64 (js backend only; for gradient checks). */
  dtype?: DType;
}

export function resolvePlacement(options: PlacementOptions): { backend: Backend; dtype: DType } {
  const backend = options.backend === undefined ? defaultBackend() : typeof options.backend === 'string' ? getBackend(options.backend) : options.backend;
  return { backend, dtype: options.dtype ?? 'float32' };
}
