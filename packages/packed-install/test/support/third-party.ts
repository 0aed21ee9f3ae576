/**
 * The third-party packages the installed @dlp/* packages need (chart.js, @napi-rs/canvas, …,
 * and @types/node for the consumer's type-check), packed from the copies pnpm installed in this
 * workspace, so the local registry can serve the whole install with no network. Each is found
 * in node_modules/.pnpm by name; its own dependencies are followed. Names not installed here
 * (other platforms' binaries of @napi-rs/canvas) are left out: npm skips those optional ones.
 */

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface PackageJson {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

/** Compares dotted versions numerically (enough to pick the newest of pnpm's copies). */
function newer(a: string, b: string): number {
  const pa = a.split(/[.-]/).map(Number);
  const pb = b.split(/[.-]/).map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0 && !Number.isNaN(d)) return d;
  }
  return 0;
}

/** The folder of the newest copy of `name` in the pnpm store of `workspace`, or undefined. */
function storeCopy(workspace: string, name: string): string | undefined {
  const store = join(workspace, 'node_modules', '.pnpm');
  const prefix = `${name.replace('/', '+')}@`;
  const candidates = readdirSync(store)
    .filter((entry) => entry.startsWith(prefix) && /^\d/.test(entry.slice(prefix.length)))
    .map((entry) => ({ dir: join(store, entry, 'node_modules', name), version: entry.slice(prefix.length).split('_')[0] ?? '' }))
    .filter((c) => existsSync(join(c.dir, 'package.json')))
    .sort((a, b) => newer(b.version, a.version));
  return candidates[0]?.dir;
}

/** Runtime dependencies (required, optional and peer) of a manifest, by name. */
export function dependencyNames(manifest: PackageJson): string[] {
  return [
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.optionalDependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
  ];
}

/**
 * Packs `roots` and everything they depend on into `out` (skipping names in `exclude`, the
 * packages packed from this workspace). Returns the names packed and those not found here.
 */
export function packThirdParty(workspace: string, roots: string[], exclude: Set<string>, out: string): { packed: string[]; absent: string[] } {
  const packed: string[] = [];
  const absent: string[] = [];
  const seen = new Set<string>(exclude);
  const queue = [...roots];
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    if (seen.has(name)) continue;
    seen.add(name);
    const dir = storeCopy(workspace, name);
    if (dir === undefined) {
      absent.push(name);
      continue;
    }
    const result = spawnSync('npm', ['pack', dir, '--pack-destination', out, '--ignore-scripts', '--silent'], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`npm pack ${dir} failed: ${result.stderr}`);
    packed.push(name);
    queue.push(...dependencyNames(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson));
  }
  return { packed, absent };
}
