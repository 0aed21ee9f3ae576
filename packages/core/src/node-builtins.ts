/**
 * Node's built-in modules, reached through `process.getBuiltinModule` (Node >= 20.16) instead of
 * static `node:` imports, so that modules needing them on Node (loading the addon, finding the
 * wasm files) still load in a browser bundle. Also finds @dlp/core's own folder on disk.
 */

import { BackendUnavailableError } from './errors.js';

export interface NodeBuiltins {
  fs: typeof import('node:fs');
  path: typeof import('node:path');
  url: typeof import('node:url');
  module: typeof import('node:module');
}

export function isNode(): boolean {
  return typeof process === 'object' && typeof process.versions?.node === 'string';
}

/** The built-ins, or BackendUnavailableError naming `caller` when not on Node >= 20.16. */
export function nodeBuiltins(caller: string): NodeBuiltins {
  if (!isNode() || typeof process.getBuiltinModule !== 'function') {
    throw new BackendUnavailableError(`${caller} reads files and needs Node >= 20.16`);
  }
  return {
    fs: process.getBuiltinModule('node:fs'),
    path: process.getBuiltinModule('node:path'),
    url: process.getBuiltinModule('node:url'),
    module: process.getBuiltinModule('node:module'),
  };
}

let packageRootCache: string | undefined;

/**
 * The @dlp/core package folder (where `native/` and `wasm/` are built), found by walking up
 * from this module: src/ under vitest, dist/ once bundled, node_modules/@dlp/core/dist/ when
 * installed.
 */
export function corePackageRoot(node: NodeBuiltins = nodeBuiltins('corePackageRoot')): string {
  if (packageRootCache !== undefined) return packageRootCache;
  const start = node.path.dirname(node.url.fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = node.path.dirname(dir)) {
    const manifest = node.path.join(dir, 'package.json');
    if (node.fs.existsSync(manifest)) {
      try {
        const pkg = JSON.parse(node.fs.readFileSync(manifest, 'utf8')) as { name?: unknown };
        if (pkg.name === '@dlp/core') return (packageRootCache = dir);
      } catch {
        // unreadable manifest: keep walking up
      }
    }
    if (node.path.dirname(dir) === dir) {
      throw new BackendUnavailableError(`no package.json named @dlp/core above ${start}: cannot find its native/ and wasm/ builds`);
    }
  }
}
