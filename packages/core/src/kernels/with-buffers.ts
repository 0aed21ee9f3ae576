/**
 * A kernel's arguments as a backend sees them: every storage field (optional ones too) replaced
 * by that backend's own buffer type, every number and flag kept. E.g. the js backend's loops take
 * `WithBuffers<LayerNormArgs, TypedArray>`, the wasm module `WithBuffers<LayerNormArgs, WasmBuffer>`.
 */

import type { Storage } from '../backends/backend.js';

export type WithBuffers<A, B> = {
  [K in keyof A]: A[K] extends Storage ? B : A[K] extends Storage | undefined ? B | undefined : A[K];
};
