/**
 * What each tarball ships: only what runs (no sources, tests, source maps or a second
 * platform's addon), manifests a registry and a bundler can use, and no install scripts (the
 * addon comes as an optional dependency, never downloaded at install time).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

import { installed, type PackedTarball } from './support/installed.js';

interface Manifest {
  name: string;
  version: string;
  license?: string;
  repository?: { url?: string; directory?: string };
  engines?: { node?: string };
  sideEffects?: unknown;
  exports?: Record<string, unknown>;
  scripts?: Record<string, string>;
  bin?: Record<string, string>;
  os?: string[];
  cpu?: string[];
  libc?: string[];
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

const { packed } = installed();
const byName = (name: string): PackedTarball => {
  const found = packed.find((p) => p.name === name);
  if (!found) throw new Error(`no tarball for ${name}: ${packed.map((p) => p.name).join(', ')}`);
  return found;
};
const manifestOf = (p: PackedTarball): Manifest =>
  JSON.parse(spawnSync('tar', ['-xzOf', p.tarball, 'package/package.json'], { encoding: 'utf8' }).stdout) as Manifest;

describe('the packed tarballs', () => {
  it('are @dlp/core, its addon for this platform, @dlp/web-demo and @dlp/cli, all of one version', () => {
    expect(packed.map((p) => p.name).sort()).toEqual(['@dlp/cli', '@dlp/core', '@dlp/core-linux-x64-gnu', '@dlp/web-demo']);
    expect(new Set(packed.map((p) => p.version)).size).toBe(1);
  });

  it.each(packed.map((p) => [p.name, p] as const))('%s has a complete manifest, no workspace ranges and no install scripts', (_, p) => {
    const manifest = manifestOf(p);
    expect(manifest.license).toBe('MIT');
    expect(manifest.repository?.url).toMatch(/^git\+https:\/\//);
    expect(manifest.engines?.node).toMatch(/^>=20\./);
    const ranges = { ...manifest.dependencies, ...manifest.optionalDependencies, ...manifest.peerDependencies };
    expect(Object.values(ranges).filter((range) => range.startsWith('workspace:'))).toEqual([]);
    const installHooks = ['preinstall', 'install', 'postinstall'].filter((hook) => manifest.scripts?.[hook] !== undefined);
    expect(installHooks).toEqual([]);
    expect(p.files.filter((f) => f.endsWith('.map') || f.startsWith('src/') || f.startsWith('test/'))).toEqual([]);
    expect(p.files).toEqual(expect.arrayContaining(['README.md', 'LICENSE', 'package.json']));
  });

  it('@dlp/core ships its bundles, declarations, the addon loader and three wasm builds, but no addon', () => {
    const core = byName('@dlp/core');
    for (const file of ['dist/index.js', 'dist/index.d.ts', 'dist/browser.js', 'dist/browser.d.ts', 'native/index.cjs', 'native/index.d.ts']) {
      expect(core.files).toContain(file);
    }
    for (const variant of ['simd', 'scalar', 'threads']) {
      expect(core.files).toContain(`wasm/${variant}/dlp_wasm_bg.wasm`);
      expect(core.files).toContain(`wasm/${variant}/dlp_wasm.js`);
    }
    expect(core.files.some((f) => f.startsWith('wasm/threads/snippets/') && f.endsWith('workerHelpers.no-bundler.js'))).toBe(true);
    expect(core.files.filter((f) => f.endsWith('.node'))).toEqual([]);
  });

  it("@dlp/core's exports give Node, browser and types conditions, and name every platform package as optional", () => {
    const manifest = manifestOf(byName('@dlp/core'));
    expect(manifest.exports?.['.']).toMatchObject({
      browser: { types: './dist/browser.d.ts', default: './dist/browser.js' },
      node: { types: './dist/index.d.ts', default: './dist/index.js' },
      types: './dist/index.d.ts',
    });
    expect(manifest.exports?.['./browser']).toEqual({ types: './dist/browser.d.ts', default: './dist/browser.js' });
    // The bundles register the backends when imported: bundlers must keep them.
    expect(manifest.sideEffects).toEqual(expect.arrayContaining(['./dist/*.js']));
    const platforms = Object.keys(manifest.optionalDependencies ?? {});
    expect(platforms).toContain('@dlp/core-linux-x64-gnu');
    expect(platforms).toEqual(expect.arrayContaining(['@dlp/core-darwin-arm64', '@dlp/core-win32-x64-msvc', '@dlp/core-linux-arm64-gnu']));
    for (const range of Object.values(manifest.optionalDependencies ?? {})) expect(range).toBe(manifest.version);
    expect(manifest.dependencies?.['@napi-rs/canvas']).toBeUndefined();
    expect(manifest.peerDependenciesMeta?.['@napi-rs/canvas']?.optional).toBe(true);
  });

  it('the platform package holds only the addon, and says which os, cpu and libc it fits', () => {
    const addon = byName('@dlp/core-linux-x64-gnu');
    expect(addon.files.sort()).toEqual(['LICENSE', 'README.md', 'dlp-node.linux-x64-gnu.node', 'package.json']);
    const manifest = manifestOf(addon);
    expect([manifest.os, manifest.cpu, manifest.libc]).toEqual([['linux'], ['x64'], ['glibc']]);
  });

  it('@dlp/cli is the dlp command, depending on @dlp/core, @dlp/web-demo and @napi-rs/canvas (for its plots)', () => {
    const cli = byName('@dlp/cli');
    const manifest = manifestOf(cli);
    expect(manifest.bin).toEqual({ dlp: './dist/main.js' });
    expect(Object.keys(manifest.dependencies ?? {}).sort()).toEqual(['@dlp/core', '@dlp/web-demo', '@napi-rs/canvas']);
    expect(cli.files).toContain('dist/main.js');
  });

  it('@dlp/web-demo ships the built page and its static server, with nothing to install at run time', () => {
    const demo = byName('@dlp/web-demo');
    expect(demo.files).toContain('dist/index.html');
    expect(demo.files).toContain('scripts/static-server.mjs');
    expect(demo.files.some((f) => f.startsWith('dist/wasm/threads/'))).toBe(true);
    expect(manifestOf(demo).dependencies ?? {}).toEqual({});
  });
});
