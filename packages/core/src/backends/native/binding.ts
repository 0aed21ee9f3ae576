/**
 * Loads the napi-rs addon (crates/node) built into packages/core/native/ by
 * `pnpm --filter @dlp/core build:native`, through the loader napi-rs generates. Its types are
 * napi's generated index.d.ts: one function per kernel of the contract, each taking one object
 * of named arguments with Float32Array buffers.
 */

import { BackendUnavailableError } from '../../errors.js';
import { corePackageRoot, nodeBuiltins } from '../../node-builtins.js';
import type { BindingMismatches } from '../rust-binding.js';
import type * as Addon from '../../../native/index.js';

export type NativeAddon = typeof Addon;

/** Fails to compile, naming the kernels, when the addon's arguments differ from the core's. */
export const addonAgrees: [BindingMismatches<NativeAddon, Float32Array>] extends [never] ? true : BindingMismatches<NativeAddon, Float32Array> = true;

let addon: NativeAddon | undefined;

export function loadNativeAddon(): NativeAddon {
  if (addon) return addon;
  const node = nodeBuiltins('the native backend');
  const loader = node.path.join(corePackageRoot(node), 'native', 'index.cjs');
  if (!node.fs.existsSync(loader)) {
    throw new BackendUnavailableError(
      `native backend unavailable: the addon is not built (${loader} is missing); ` +
        'run `pnpm --filter @dlp/core build:native` (needs Rust), or use --backend wasm or js',
    );
  }
  try {
    addon = node.module.createRequire(import.meta.url)(loader) as NativeAddon;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new BackendUnavailableError(`native backend unavailable: loading ${loader} failed: ${reason}`);
  }
  return addon;
}
