// Puts the threads test page together and opens it in headless Chromium: bundles main.ts and
// worker.ts with esbuild (taking @dlp/core/browser from core's sources, so the test checks the
// loader as it is now, not a stale dist/), serves this folder with /build/ and /wasm/ (core's
// builds) mounted, cross-origin isolated or not. Shared by wasm-threads.test.ts and bench.mjs.
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_FLAGS, requireChromium } from '../../scripts/chromium.mjs';
import { startStaticServer } from '../../scripts/static-server.mjs';

const here = new URL('./', import.meta.url);
const core = new URL('../../../core/', import.meta.url);
const out = new URL('../../test-output/threads-page/', import.meta.url);
export { CHROMIUM };

/** Bundles the page's scripts into test-output/threads-page/ (esbuild is @dlp/core's devDependency). */
export async function bundle() {
  const esbuild = createRequire(new URL('package.json', core))('esbuild');
  mkdirSync(out, { recursive: true });
  await esbuild.build({
    entryPoints: [fileURLToPath(new URL('main.ts', here)), fileURLToPath(new URL('worker.ts', here))],
    outdir: fileURLToPath(out),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    alias: { '@dlp/core/browser': fileURLToPath(new URL('src/browser.ts', core)) },
    logLevel: 'warning',
  });
}

/** Chromium, after checking that it and the wasm builds are there. */
export async function launch() {
  for (const variant of ['simd', 'threads']) {
    if (!existsSync(new URL(`wasm/${variant}/dlp_wasm_bg.wasm`, core))) {
      throw new Error(`packages/core/wasm/${variant} is not built: run \`pnpm --filter @dlp/core build:wasm\``);
    }
  }
  requireChromium();
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
}

/** Serves the page (isolated: COOP/COEP headers) and opens it; `run(request)` runs one in a fresh Worker. */
export async function openPage(browser, { isolated }) {
  const server = await startStaticServer(here, { isolated, mounts: { '/build/': out, '/wasm/': new URL('wasm/', core) } });
  const page = await browser.newPage();
  const errors = [];
  const console = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => console.push(`${m.type()}: ${m.text()}`));
  await page.goto(server.url);
  await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: 10_000 });
  return {
    page,
    errors,
    console,
    isolated: () => page.evaluate(() => globalThis.crossOriginIsolated),
    inWorker: (request) => page.evaluate((r) => globalThis.dlpTest.inWorker(r), request),
    onMainThread: (variant) => page.evaluate((v) => globalThis.dlpTest.onMainThread(v), variant),
    close: async () => {
      await page.close();
      await server.close();
    },
  };
}
