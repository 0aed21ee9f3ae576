/**
 * Once before the test files: packs every publishable package (scripts/pack.mjs) and the
 * third-party packages they need, serves them from a local registry, and installs them with
 * plain npm into a temporary folder outside the workspace, as a user would:
 *   app/                 `npm install` of a consumer project depending on @dlp/core
 *   app-without-optional/ the same with --omit=optional (no platform addon: auto must fall back)
 *   global/              `npm install -g @dlp/cli` (with --prefix, so nothing leaves the folder)
 *   global-from-files/   `npm install -g` of our tarballs by path, as the README shows
 * The test files then type-check and run what was installed. Nothing here needs the network.
 * DLP_KEEP_PACKED=1 keeps the folder for a look afterwards.
 */

import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

import { startLocalRegistry } from './local-registry.js';
import { dependencyNames, packThirdParty } from './third-party.js';
import type { Installed, PackedTarball } from './installed.js';
import { userEnv } from './user-env.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const workspace = resolve(here, '..', '..', '..', '..');

/** Runs npm asynchronously (the registry answers from this process's event loop). */
function npm(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('npm', args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolvePromise(output) : reject(new Error(`npm ${args.join(' ')} in ${cwd} exited ${code}:\n${output}`))));
  });
}

/** npm's settings for these installs: the local registry, an empty cache and config, no noise. */
function npmEnv(root: string, registry: string): NodeJS.ProcessEnv {
  const userconfig = join(root, 'npmrc');
  writeFileSync(userconfig, '');
  return userEnv({
    npm_config_registry: `${registry}/`,
    npm_config_cache: join(root, 'npm-cache'),
    npm_config_userconfig: userconfig,
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    npm_config_package_lock: 'true',
  });
}

function version(manifestPath: string): string {
  return (JSON.parse(readFileSync(manifestPath, 'utf8')) as { version: string }).version;
}

export default async function setup(project: TestProject): Promise<() => void> {
  const root = mkdtempSync(join(tmpdir(), 'dlp-packed-'));
  const tarballs = join(root, 'tarballs');
  const started = performance.now();

  const packedRun = spawnSync('node', [join(workspace, 'scripts', 'pack.mjs'), '--out', tarballs, '--json'], { encoding: 'utf8' });
  if (packedRun.status !== 0) throw new Error(`scripts/pack.mjs failed:\n${packedRun.stderr}`);
  const packed = JSON.parse(packedRun.stdout) as PackedTarball[];
  const ours = new Set(packed.map((p) => p.name));
  const roots = ['@types/node'];
  for (const p of packed) {
    const manifest = JSON.parse(spawnSync('tar', ['-xzOf', p.tarball, 'package/package.json'], { encoding: 'utf8' }).stdout) as never;
    roots.push(...dependencyNames(manifest).filter((name) => !ours.has(name)));
  }
  const thirdParty = packThirdParty(workspace, roots, ours, tarballs);

  const registry = await startLocalRegistry(tarballs);
  const env = npmEnv(root, registry.url);
  const app = join(root, 'app');
  const appWithoutOptional = join(root, 'app-without-optional');
  const globalPrefix = join(root, 'global');
  const globalFromFiles = join(root, 'global-from-files');
  const logs: Record<string, string> = {};
  try {
    cpSync(join(here, '..', '..', 'app'), app, { recursive: true });
    writeFileSync(
      join(app, 'package.json'),
      `${JSON.stringify(
        {
          name: 'dlp-consumer',
          private: true,
          type: 'module',
          dependencies: { '@dlp/core': version(join(workspace, 'packages', 'core', 'package.json')) },
          devDependencies: { '@types/node': `^${version(join(workspace, 'node_modules', '@types', 'node', 'package.json'))}` },
        },
        null,
        2,
      )}\n`,
    );
    cpSync(app, appWithoutOptional, { recursive: true });
    logs.app = await npm(['install'], app, env);
    logs.appWithoutOptional = await npm(['install', '--omit=optional'], appWithoutOptional, env);
    mkdirSync(globalPrefix);
    logs.global = await npm(['install', '-g', '--prefix', globalPrefix, '@dlp/cli'], root, env);
    // As the README shows for tarballs not yet on a registry: all of ours named at once.
    mkdirSync(globalFromFiles);
    logs.globalFromFiles = await npm(['install', '-g', '--prefix', globalFromFiles, ...packed.map((p) => p.tarball)], root, env);
  } finally {
    await registry.close();
  }

  const installed: Installed = {
    root,
    packed,
    thirdParty,
    registryMisses: [...registry.misses].sort(),
    app,
    appWithoutOptional,
    globalPrefix,
    globalFromFiles,
    logs,
    setupSeconds: (performance.now() - started) / 1000,
  };
  project.provide('installed', installed);
  return () => {
    if (process.env.DLP_KEEP_PACKED) console.log(`packed-install: kept ${root}`);
    else rmSync(root, { recursive: true, force: true });
  };
}
