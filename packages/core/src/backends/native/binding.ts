/**
 * Loads the napi-rs addon (crates/node) built into packages/core/native/ by
 * `pnpm --filter @dlp/core build:native`, through the loader napi-rs generates. Its types are
 * napi's generated index.d.ts: one function per kernel of the contract, each taking one object
 * of named arguments with Float32Array buffers.
 */

import { BackendUnavailableError } from '../../errors.js';
import { corePackageRoot, nodeBuiltins, type NodeBuiltins } from '../../node-builtins.js';
import type { BindingMismatches } from '../rust-binding.js';
import type * as Addon from '../../../native/index.js';

export type NativeAddon = typeof Addon;

/** Fails to compile, naming the kernels, when the addon's arguments differ from the core's. */
export const addonAgrees: [BindingMismatches<NativeAddon, Float32Array>] extends [never] ? true : BindingMismatches<NativeAddon, Float32Array> = true;

let addon: NativeAddon | undefined;

/**
 * napi-rs's name for this platform (`linux-x64-gnu`, `darwin-arm64`, `win32-x64-msvc`, …): the
 * addon's file is dlp-node.<platform>.node and its package @dlp/core-<platform>.
 */
export function napiPlatform(): string {
  const { platform, arch } = process;
  if (platform === 'win32') return `win32-${arch}-msvc`;
  if (platform !== 'linux') return `${platform}-${arch}`;
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return `linux-${arch}-${report?.header?.glibcVersionRuntime ? 'gnu' : 'musl'}`;
}

/**
 * Why napi-rs's loader found no addon: none is made for this platform, its package is not
 * installed, or it is installed and failed to load (`cause`: the loader's chain of errors).
 */
function missingAddonReason(node: NodeBuiltins, packageRoot: string, loader: string, cause: unknown): string {
  const platform = napiPlatform();
  const wanted = `@dlp/core-${platform}`;
  const manifest = JSON.parse(node.fs.readFileSync(node.path.join(packageRoot, 'package.json'), 'utf8')) as {
    optionalDependencies?: Record<string, string>;
  };
  const made = Object.keys(manifest.optionalDependencies ?? {});
  if (!made.includes(wanted)) {
    const list = made.map((name) => name.replace('@dlp/core-', '')).join(', ');
    return `no addon is made for ${platform} (there are: ${list})`;
  }
  try {
    node.module.createRequire(loader).resolve(`${wanted}/package.json`);
    const detail = cause instanceof Error ? cause.message.split('\n')[0] : 'no detail';
    return `${wanted} is installed but its addon did not load: ${detail}`;
  } catch {
    // not resolvable: not installed
  }
  return (
    `${wanted} is not installed (npm installs it as an optional dependency of @dlp/core; ` +
    'installing with --omit=optional, or from a lockfile made on another platform, leaves it out)'
  );
}

export function loadNativeAddon(): NativeAddon {
  if (addon) return addon;
  const node = nodeBuiltins('the native backend');
  const packageRoot = corePackageRoot(node);
  const loader = node.path.join(packageRoot, 'native', 'index.cjs');
  if (!node.fs.existsSync(loader)) {
    throw new BackendUnavailableError(
      `native backend unavailable: the addon is not built (${loader} is missing); ` +
        'run `pnpm --filter @dlp/core build:native` (needs Rust), or use --backend wasm or js',
    );
  }
  try {
    // napi-rs's loader: ./dlp-node.<platform>.node beside it (a build in this checkout), else
    // the platform package @dlp/core-<platform>.
    addon = node.module.createRequire(import.meta.url)(loader) as NativeAddon;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const reason = message.startsWith('Cannot find native binding')
      ? missingAddonReason(node, packageRoot, loader, (error as { cause?: unknown }).cause)
      : `loading ${loader} failed: ${message.split('\n')[0]}`;
    throw new BackendUnavailableError(`native backend unavailable: ${reason}`);
  }
  return addon;
}
