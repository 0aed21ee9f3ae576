#!/usr/bin/env node
// Screenshots of the page after a training run, for the docs: docs/web-demo-1280x800.png (the
// 1280×800 viewport) and docs/web-demo-390x844.png (a phone's 390-pixel-wide layout, whole page).
//   node scripts/screenshots.mjs [--setup 1] [--steps 1400] [--data-dir DIR] [--out DIR]
// Needs the built page (pnpm --filter @dlp/web-demo build), Chromium and CIFAR-10 (--data-dir,
// else DLP_DATA_DIR, else <repo>/../shared/datasets).
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_FLAGS, findBinDir, requireChromium } from './chromium.mjs';
import { startStaticServer } from './static-server.mjs';

const here = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    setup: { type: 'string', default: '1' },
    steps: { type: 'string', default: '1400' },
    'data-dir': { type: 'string' },
    out: { type: 'string', default: join(here, '..', '..', 'docs') },
  },
});
const root = resolve(values['data-dir'] ?? process.env.DLP_DATA_DIR ?? join(here, '..', '..', '..', 'shared', 'datasets'));
const binDir = findBinDir(root);
if (!binDir) throw new Error(`no CIFAR-10 .bin files under ${root}: pass --data-dir`);
if (!existsSync(join(here, 'dist', 'index.html'))) throw new Error('dist/ is not built: run `pnpm --filter @dlp/web-demo build`');

requireChromium();
const server = await startStaticServer(join(here, 'dist'), { mounts: { '/data/': binDir } });
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: CHROMIUM_FLAGS,
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(server.url);
  await page.waitForSelector('[data-testid="app"][data-state="ready"]', { timeout: 60_000 });
  await page.selectOption('[data-testid="setup-select"]', values.setup);
  await page.fill('[data-testid="steps-input"]', values.steps);
  await page.click('[data-testid="start-button"]');
  const started = Date.now();
  await page.waitForSelector('[data-testid="app"][data-state="done"], [data-testid="app"][data-state="failed"]', { timeout: 30 * 60_000 });
  console.error(`trained setup ${values.setup} for ${values.steps} steps in ${((Date.now() - started) / 1000).toFixed(1)} s: ${await page.textContent('[data-testid="run-status"]')}`);
  mkdirSync(values.out, { recursive: true });
  const wide = join(values.out, 'web-demo-1280x800.png');
  await page.screenshot({ path: wide });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(300); // chart.js resizes on the next frame
  const phone = join(values.out, 'web-demo-390x844.png');
  await page.screenshot({ path: phone, fullPage: true });
  console.error(`wrote ${wide} and ${phone}`);
} finally {
  await browser.close();
  await server.close();
}
