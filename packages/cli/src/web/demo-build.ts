/**
 * Where the web demo's built files are, and building them when they are missing or older than
 * what they are built from (the page's sources, @dlp/core's sources, which Vite bundles from
 * src/, and its wasm builds), so
 * `dlp web` after a `git pull` never serves a stale page.
 */

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { DlpError } from '@dlp/core';

/** The web demo could not be built. */
export class DemoBuildError extends DlpError {
  override readonly name = 'DemoBuildError';
}

export interface DemoPaths {
  /** packages/web-demo */
  root: string;
  /** Its built page (index.html, the bundle, wasm/). */
  dist: string;
}

/** The @dlp/web-demo package's folders, found through the CLI's dependency on it. */
export function demoPaths(): DemoPaths {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('@dlp/web-demo/package.json'));
  return { root, dist: join(root, 'dist') };
}

/** Newest modification time (ms) of the files under `path` (0 when it does not exist). */
function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    latest = Math.max(latest, newest(join(path, entry.name)));
  }
  return latest;
}

/**
 * Why the built page must be (re)built, or undefined when it is up to date. An installed
 * @dlp/web-demo (from npm: no src/ beside dist/) is a published build and never rebuilt; one
 * without its page is broken, which DemoBuildError says.
 */
export function staleReason({ root, dist }: DemoPaths): string | undefined {
  const page = join(dist, 'index.html');
  if (!existsSync(join(root, 'src'))) {
    if (existsSync(page)) return undefined;
    throw new DemoBuildError(`web: the installed @dlp/web-demo has no built page (${page} is missing); reinstall @dlp/cli`);
  }
  if (!existsSync(page)) return 'it has not been built yet';
  const built = statSync(page).mtimeMs;
  const core = join(root, '..', 'core');
  const inputs = [join(root, 'src'), join(root, 'index.html'), join(root, 'static'), join(core, 'src'), join(core, 'wasm')];
  const changed = inputs.find((input) => newest(input) > built);
  return changed === undefined ? undefined : `${changed} changed since it was built`;
}

/** Builds the page with its package's build script (pnpm --filter @dlp/web-demo build). */
export function buildDemo(paths: DemoPaths, log: (line: string) => void): void {
  log('dlp web: building the web demo (pnpm --filter @dlp/web-demo build)…');
  const result = spawnSync('pnpm', ['--filter', '@dlp/web-demo', 'run', 'build'], {
    cwd: paths.root,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.error) {
    throw new DemoBuildError(`web: could not run pnpm to build the web demo (${result.error.message}); build it with \`pnpm --filter @dlp/web-demo build\``);
  }
  if (result.status !== 0) {
    throw new DemoBuildError(`web: building the web demo failed (exit code ${result.status}); see the output above`);
  }
  if (!existsSync(join(paths.dist, 'index.html'))) {
    throw new DemoBuildError(`web: the build finished but ${join(paths.dist, 'index.html')} is missing`);
  }
}
