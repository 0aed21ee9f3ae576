/**
 * The built page in a real headless Chromium (Debian's, driven by playwright-core): it loads
 * the wasm SIMD kernels from dist/wasm/, and a click checks and times the GEMM.
 * Needs `pnpm --filter @dlp/web-demo build` first (the test command does it) and chromium.
 */

import { existsSync, mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { startStaticServer, type StaticServer } from '../scripts/static-server.mjs';

const CHROMIUM = process.env.DLP_CHROMIUM ?? '/usr/bin/chromium';
const dist = new URL('../dist/', import.meta.url);

let server: StaticServer;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(new URL('index.html', dist)) || !existsSync(new URL('wasm/simd/dlp_wasm_bg.wasm', dist))) {
    throw new Error('web-demo dist/ is not built: run `pnpm --filter @dlp/web-demo build`');
  }
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: install Debian's chromium (bash scripts/setup.sh --test) or set DLP_CHROMIUM`);
  }
  server = await startStaticServer(dist);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('web demo page', () => {
  it('loads the SIMD wasm kernels and a click checks the GEMM against the reference', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url);
    await page.waitForSelector('#status[data-state="ready"]', { timeout: 30_000 });
    expect(await page.textContent('#status')).toContain('wasm (SIMD128, 1 thread)');

    await page.click('#run');
    await page.waitForSelector('#status[data-state="done"], #status[data-state="failed"]', { timeout: 60_000 });
    const rows = await page.$$eval('#results tbody tr', (trs) =>
      trs.map((tr) => [tr.children[0]!.textContent ?? '', tr.children[1]!.textContent ?? ''] as const),
    );
    const result = Object.fromEntries(rows);
    mkdirSync(new URL('../test-output/', import.meta.url), { recursive: true });
    await page.screenshot({ path: new URL('../test-output/page.png', import.meta.url).pathname, fullPage: true });

    expect(await page.getAttribute('#status', 'data-state')).toBe('done');
    expect(result['engine supports WebAssembly SIMD']).toBe('yes');
    expect(Number(result['max relative error vs reference (37×301 · 301×29, Aᵀ)'])).toBeLessThan(1e-5);
    expect(Number(result['GFLOPS 128×3072×1024'])).toBeGreaterThan(0.5);
    expect(errors).toEqual([]);
  });
});
