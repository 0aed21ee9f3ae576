/**
 * The built page (dist/) in Debian's headless Chromium, driven by playwright-core, served by the
 * app's static server with or without the real CIFAR-10 mounted at /data/. Needs
 * `pnpm --filter @dlp/web-demo build` first and /usr/bin/chromium (or DLP_CHROMIUM).
 */

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { CHROMIUM, CHROMIUM_FLAGS, findBinDir as binDirUnder, requireChromium } from '../../scripts/chromium.mjs';
import { startStaticServer, type StaticServer } from '../../scripts/static-server.mjs';

export { CHROMIUM, CHROMIUM_FLAGS };
const dist = fileURLToPath(new URL('../../dist/', import.meta.url));

/**
 * The folder holding the six .bin files: DLP_DATA_DIR, else the shared copy beside the
 * repository (<repo>/../shared/datasets), each either holding the files or cifar-10-batches-bin/.
 */
function findBinDir(): { dir: string | undefined; looked: string } {
  const root = process.env.DLP_DATA_DIR ?? fileURLToPath(new URL('../../../../../shared/datasets', import.meta.url));
  return { dir: binDirUnder(root), looked: root };
}

const found = findBinDir();
export const binDir = found.dir;
/**
 * Tests that train on the real data run when it is there. As elsewhere in the repository they
 * are skipped, under a name that says so, where it is not — except in CI (CI set), where the
 * data must be there and its absence fails the test.
 */
export const skipWithoutData = binDir === undefined && !process.env.CI;
export const DATA_NOTE = `needs CIFAR-10 at ${found.looked} or DLP_DATA_DIR`;

export interface Demo {
  page: Page;
  /** Uncaught page and worker errors, to assert there were none. */
  errors: string[];
  close(): Promise<void>;
}

let browser: Browser | undefined;

/** Opens the page, served with the data at /data/ (`withData`) or without. */
export async function openDemo(options: { withData: boolean; viewport?: { width: number; height: number } }): Promise<Demo> {
  if (!existsSync(join(dist, 'index.html')) || !existsSync(join(dist, 'wasm', 'simd', 'dlp_wasm_bg.wasm'))) {
    throw new Error('web-demo dist/ is not built: run `pnpm --filter @dlp/web-demo build`');
  }
  requireChromium();
  if (options.withData && binDir === undefined) throw new Error(`CIFAR-10 is missing (${DATA_NOTE})`);
  const server: StaticServer = await startStaticServer(dist, { mounts: options.withData ? { '/data/': binDir! } : {} });
  browser ??= await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(server.url);
  return {
    page,
    errors,
    close: async () => {
      await context.close();
      await server.close();
    },
  };
}

export async function closeBrowser(): Promise<void> {
  await browser?.close();
  browser = undefined;
}

export const testId = (id: string) => `[data-testid="${id}"]`;

/** Waits for the page root's data-state to be one of `states`. */
export async function waitForState(page: Page, states: string[], timeout = 15_000): Promise<string> {
  const selector = states.map((s) => `[data-testid="app"][data-state="${s}"]`).join(', ');
  await page.waitForSelector(selector, { timeout });
  return (await page.getAttribute(testId('app'), 'data-state'))!;
}

/** The data-value of a hook as a number (NaN when empty). */
export async function numberOf(page: Page, id: string): Promise<number> {
  const value = await page.getAttribute(testId(id), 'data-value');
  return value === null || value === '' ? Number.NaN : Number(value);
}

/** Fills the settings form and starts a run once the page is ready. */
export async function startRun(page: Page, settings: { setup: string; steps: number }): Promise<void> {
  expect(await waitForState(page, ['ready', 'failed'], 20_000)).toBe('ready');
  await page.selectOption(testId('setup-select'), settings.setup);
  await page.fill(testId('steps-input'), String(settings.steps));
  await page.click(testId('start-button'));
}
