#!/usr/bin/env node
// Whole training runs in the web demo, driven in headless Chromium like a person would: the
// built page (packages/web-demo/dist) served cross-origin isolated with CIFAR-10 at /data/,
// a setup picked, its steps set, Start clicked, and the page's own figures read when it says
// done. Writes docs/results/browser-full-runs.{md,jsonl} (or --out-dir).
//
//   node bench/browser/full-run.mjs [--runs 1:1400,convnet:500] [--data-dir DIR] [--out-dir DIR]
//
// Needs `pnpm --filter @dlp/web-demo build` and Debian's chromium. One run at a time; nothing
// else should run on the machine meanwhile (the wall times are the point).
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import { CHROMIUM, CHROMIUM_FLAGS, findBinDir, requireChromium } from '../../packages/web-demo/scripts/chromium.mjs';
import { startStaticServer } from '../../packages/web-demo/scripts/static-server.mjs';

const repo = fileURLToPath(new URL('../..', import.meta.url));
// playwright-core is a devDependency of the web demo, not of the repository root.
const { chromium } = createRequire(join(repo, 'packages', 'web-demo', 'package.json'))('playwright-core');
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '1:1400,convnet:500' },
    'data-dir': { type: 'string' },
    'out-dir': { type: 'string', default: join(repo, 'docs', 'results') },
    chromium: { type: 'string', default: CHROMIUM },
    isolated: { type: 'string', default: 'true' },
  },
});
const runs = values.runs.split(',').map((spec) => {
  const [setup, steps] = spec.split(':');
  if (!setup || !/^\d+$/.test(steps ?? '')) throw new Error(`--runs: '${spec}' is not SETUP:STEPS`);
  return { setup, steps: Number(steps) };
});
const root = resolve(values['data-dir'] ?? process.env.DLP_DATA_DIR ?? join(repo, '..', 'shared', 'datasets'));
const binDir = findBinDir(root);
requireChromium(values.chromium);
if (!binDir) throw new Error(`no CIFAR-10 .bin files under ${root}: pass --data-dir`);
const dist = join(repo, 'packages', 'web-demo', 'dist');
if (!existsSync(join(dist, 'index.html'))) throw new Error('packages/web-demo/dist is not built: run `pnpm --filter @dlp/web-demo build`');

const isolated = values.isolated !== 'false';
const server = await startStaticServer(dist, { mounts: { '/data/': binDir }, isolated });
const browser = await chromium.launch({
  executablePath: values.chromium,
  args: CHROMIUM_FLAGS,
});
const results = [];
const text = (page, id) => page.textContent(`[data-testid="${id}"]`);
const value = (page, id) => page.getAttribute(`[data-testid="${id}"]`, 'data-value');
try {
  for (const { setup, steps } of runs) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url);
    await page.waitForSelector('[data-testid="app"][data-state="ready"]', { timeout: 120_000 });
    await page.selectOption('[data-testid="setup-select"]', setup);
    await page.fill('[data-testid="steps-input"]', String(steps));
    const load = loadavg()[0];
    const started = Date.now();
    await page.click('[data-testid="start-button"]');
    process.stderr.write(`setup ${setup}, ${steps} steps: training…\n`);
    await page.waitForSelector('[data-testid="app"][data-state="done"], [data-testid="app"][data-state="failed"]', { timeout: 60 * 60_000 });
    const wall = (Date.now() - started) / 1000;
    const record = {
      setup,
      steps,
      state: await page.getAttribute('[data-testid="app"]', 'data-state'),
      test_accuracy: Number(await value(page, 'test-accuracy')),
      test_loss: Number(await value(page, 'test-loss')),
      train_steps_per_s: Number(await value(page, 'steps-per-second')),
      wall_s: Math.round(wall * 10) / 10,
      backend: (await text(page, 'backend-info'))?.trim(),
      status: (await text(page, 'run-status'))?.trim(),
      load_average_at_start: load,
      page_errors: errors,
      isolated,
      date: new Date().toISOString(),
    };
    process.stderr.write(`  ${JSON.stringify(record)}\n`);
    results.push(record);
    await page.close();
  }
} finally {
  await browser.close();
  await server.close();
}

mkdirSync(values['out-dir'], { recursive: true });
const jsonl = join(values['out-dir'], 'browser-full-runs.jsonl');
for (const r of results) appendFileSync(jsonl, `${JSON.stringify(r)}\n`);
const all = readFileSync(jsonl, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
const rows = all.map((r) => `| ${r.date.slice(0, 16).replace('T', ' ')} | ${r.setup} | ${r.steps} | ${r.state} | ${r.test_accuracy.toFixed(4)} | ${r.wall_s} s | ${r.train_steps_per_s.toFixed(1)} | ${r.backend} | ${r.load_average_at_start.toFixed(2)} |`);
writeFileSync(
  join(values['out-dir'], 'browser-full-runs.md'),
  `# Whole runs in the web demo (headless Chromium)

Each row: the built page (\`packages/web-demo/dist\`) served ${isolated ? 'cross-origin isolated' : 'without isolation'} with CIFAR-10, a setup
picked and trained to the end by clicking Start, as a person would; the figures are the page's own
(the final evaluation on the 10 000 test images, its steps/s over the training steps) and the wall
time from the click to "done", evaluations and chart updates included. Made by
\`node bench/browser/full-run.mjs --runs ${values.runs}\` on ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores.

| finished (UTC) | setup | steps | state | test accuracy | wall (click to done) | train steps/s | backend | load avg at start |
|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}
`,
);
process.stderr.write(`wrote ${jsonl} and browser-full-runs.md\n`);
