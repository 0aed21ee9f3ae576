/**
 * Loads the napi-rs addon (crates/node) built into packages/core/native/ by
 * `pnpm --filter @dlp/core build:native`, through the loader napi-rs generates.
 */

import { BackendUnavailableError } from '../../errors.js';
import { corePackageRoot, nodeBuiltins } from '../../node-builtins.js';

/** The addon's functions (they mirror native/index.d.ts, generated from crates/node). */
export interface NativeBinding {
  sgemm(
    transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
    a: Float32Array, b: Float32Array, beta: number, c: Float32Array, threads: number,
  ): void;
  availableThreads(): number;
  simdLevel(): string;
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
