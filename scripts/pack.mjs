#!/usr/bin/env node
// Packs every publishable package into npm tarballs, as `npm publish` would ship them:
// @dlp/core, its platform packages that have an addon built here (@dlp/core-linux-x64-gnu on
// this machine), @dlp/web-demo and @dlp/cli. Run after `pnpm build`.
//
// The addon of each platform goes into its own package (packages/core/npm/<platform>/, laid out
// by `napi create-npm-dirs`); `napi artifacts` would copy it there but refuses unless every
// configured target is built, and one machine builds only its own, so the copy is done here.
// Each package folder also gets a copy of the root LICENSE (npm packs a folder's own only).
// `pnpm pack` turns the workspace:* ranges into the packages' versions.
//
// Usage: node scripts/pack.mjs [--out DIR] [--json]   (default DIR: dist/packages)
// Prints one line per tarball (name, size, files); --json prints the list as JSON instead.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const core = join(root, 'packages', 'core');
const ADDON = /^dlp-node\.(.+)\.node$/;

/** What must be built before packing, with the command that builds it. */
const BUILT = [
  [join(core, 'dist', 'index.js'), 'pnpm --filter @dlp/core build:ts'],
  [join(core, 'dist', 'index.d.ts'), 'pnpm --filter @dlp/core build:ts'],
  [join(core, 'native', 'index.cjs'), 'pnpm --filter @dlp/core build:native'],
  ...['simd', 'scalar', 'threads'].map((v) => [join(core, 'wasm', v, 'dlp_wasm_bg.wasm'), 'pnpm --filter @dlp/core build:wasm']),
  [join(root, 'packages', 'web-demo', 'dist', 'index.html'), 'pnpm --filter @dlp/web-demo build'],
  [join(root, 'packages', 'cli', 'dist', 'main.js'), 'pnpm --filter @dlp/cli build'],
];

/** Copies each addon built in packages/core/native/ into its platform package; returns those folders. */
function stageAddons() {
  const staged = [];
  for (const file of readdirSync(join(core, 'native'))) {
    const platform = ADDON.exec(file)?.[1];
    if (platform === undefined) continue;
    const dir = join(core, 'npm', platform);
    if (!existsSync(join(dir, 'package.json'))) {
      throw new Error(`pack: ${file} is built but packages/core/npm/${platform} does not exist (add the target to napi.targets in packages/core/package.json and run napi create-npm-dirs)`);
    }
    copyFileSync(join(core, 'native', file), join(dir, file));
    staged.push(dir);
  }
  if (staged.length === 0) throw new Error('pack: no addon in packages/core/native/: run pnpm --filter @dlp/core build:native');
  return staged;
}

/** `pnpm pack` of one package folder into `out`; returns the tarball's path and what it holds. */
function pack(dir, out) {
  const result = spawnSync('pnpm', ['pack', '--json', '--pack-destination', out], { cwd: dir, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`pack: pnpm pack in ${dir} failed:\n${result.stderr}${result.stdout}`);
  const report = JSON.parse(result.stdout);
  const tarball = resolve(out, report.filename.split('/').pop());
  return { name: report.name, version: report.version, tarball, bytes: statSync(tarball).size, files: report.files.map((f) => f.path) };
}

/** Packs everything into `out` (emptied first); returns one entry per tarball. */
export function packAll(out) {
  const missing = BUILT.filter(([path]) => !existsSync(path));
  if (missing.length > 0) {
    throw new Error(`pack: not built yet: ${missing.map(([path, how]) => `${path} (${how})`).join('; ')}; or run pnpm build`);
  }
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const dirs = [core, ...stageAddons(), join(root, 'packages', 'web-demo'), join(root, 'packages', 'cli')];
  // npm ships a package folder's own LICENSE only: each gets a copy of the repository's.
  for (const dir of dirs) copyFileSync(join(root, 'LICENSE'), join(dir, 'LICENSE'));
  return dirs.map((dir) => pack(dir, out));
}

/** The platforms @dlp/core names as optional dependencies, and which of them got a tarball. */
export function platformCoverage(packed) {
  const manifest = JSON.parse(readFileSync(join(core, 'package.json'), 'utf8'));
  const names = Object.keys(manifest.optionalDependencies ?? {});
  const built = new Set(packed.map((p) => p.name));
  return { built: names.filter((n) => built.has(n)), notBuilt: names.filter((n) => !built.has(n)) };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { out: { type: 'string' }, json: { type: 'boolean' } } });
  const out = resolve(values.out ?? join(root, 'dist', 'packages'));
  try {
    const packed = packAll(out);
    if (values.json) {
      process.stdout.write(`${JSON.stringify(packed, null, 2)}\n`);
    } else {
      for (const p of packed) {
        process.stdout.write(`${p.tarball.replace(`${root}/`, '')}  ${(p.bytes / 1024).toFixed(0)} KiB, ${p.files.length} files\n`);
      }
      const { notBuilt } = platformCoverage(packed);
      if (notBuilt.length > 0) process.stdout.write(`not built on this machine (no tarball): ${notBuilt.join(', ')}\n`);
    }
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
