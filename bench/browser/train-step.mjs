#!/usr/bin/env node
// Seconds per training step in headless Chromium, side by side in one browser run, on the same
// model, batch size, data and initial weights:
//
//   dlp wasm backend, `simd` build, 1 thread          (packages/core/wasm/simd)
//   dlp wasm backend, `threads` build                 (packages/core/wasm/threads, when built)
//   TensorFlow.js 4.22 wasm backend                   (bench/peers/tfjs, npm install there)
//   jax-js 0.1.25 wasm device, whole step under jit   (bench/peers/jax-js, npm install there)
//
// Workloads: setup 1 (MLP 3072→100→10, ELU, softmax cross-entropy, SGD lr 1e-3, batch 200) and
// the ConvNet (DESIGN.md section 4, Adam lr 1e-4, batch 32). Data: CIFAR-10's training images
// as float32 0–255 minus the per-pixel training mean, NCHW; the first k batches in file order
// (the training loop's first epoch), step i on batch i mod k. Initial weights: dlp's model for
// the setup built with the seed, copied into every peer, so step 1's loss is the same everywhere.
//
// Every job runs in its own module Web Worker of one page, one job at a time: a warm-up (jit
// compilation, first steps), then R repeats of N timed steps; the figure is the median over the
// repeats of seconds per step. Two pages by default: one cross-origin isolated (COOP/COEP, as
// packages/web-demo's server sends: SharedArrayBuffer, so threads) and one plain (no threads
// anywhere). Writes docs/results/browser-train-step.md (tables, ratios dlp/peer, first and last
// loss of every engine, machine, Chromium, commands) and .jsonl (every result), atomically.
//
// Usage (from the repository root):
//   pnpm install && pnpm --filter @dlp/core build:wasm            # dlp's wasm builds
//   (cd bench/peers/tfjs && npm install --no-package-lock)        # the peers, outside the workspace
//   (cd bench/peers/jax-js && npm install --no-package-lock)
//   node bench/browser/train-step.mjs [--setups 1,convnet] [--engines dlp,dlp-threads,tfjs,jax]
//        [--pages isolated,plain] [--mlp STEPSxREPEATS] [--conv STEPSxREPEATS] [--warmup-mlp N]
//        [--warmup-conv N] [--budget-mlp S] [--budget-conv S] [--batches K] [--seed N]
//        [--data-dir DIR] [--out-dir DIR] [--chromium PATH] [--core src|dist] [--quick] [--headed]
// Measure on a quiet machine: on 2 cores any other process shows up directly in the figures.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_DATA_DIR, makeFail, ROOT, rel } from '../lib/options.mjs';
import { CHROMIUM, CHROMIUM_FLAGS } from '../../packages/web-demo/scripts/chromium.mjs';
import { loadAtStart, machineFacts, machineLines, median, thisCommand, writeResults } from '../lib/report.mjs';

const NAME = 'browser-train-step';
const fail = makeFail(NAME);
const HERE = path.join(ROOT, 'bench', 'browser');
const DIST = path.join(HERE, 'dist');
const CORE = path.join(ROOT, 'packages', 'core');
const PEERS = path.join(ROOT, 'bench', 'peers');

const ENGINES = {
  dlp: { worker: 'dlp', label: 'dlp wasm (simd, 1 thread)', variant: 'simd', dlp: true },
  'dlp-threads': { worker: 'dlp', label: 'dlp wasm (threads)', variant: 'threads', dlp: true, isolatedOnly: true },
  tfjs: { worker: 'tfjs', label: 'TensorFlow.js 4.22 wasm', peer: 'tfjs' },
  jax: { worker: 'jax', label: 'jax-js 0.1.25 wasm (jit)', peer: 'jax-js' },
};
const PEER_PACKAGES = {
  tfjs: { dir: path.join(PEERS, 'tfjs'), packages: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm'] },
  'jax-js': { dir: path.join(PEERS, 'jax-js'), packages: ['@jax-js/jax'] },
};
const SETUPS = {
  1: { batchSize: 200, label: 'setup 1: MLP 3072→100→10, ELU, SGD lr 1e-3, batch 200' },
  convnet: { batchSize: 32, label: 'ConvNet (DESIGN.md §4), Adam lr 1e-4, batch 32' },
};

function usage() {
  return `usage: node bench/browser/train-step.mjs [options]
  --setups LIST       1,convnet (default both)
  --engines LIST      dlp,dlp-threads,tfjs,jax (default all; dlp-threads only where packages/core/wasm/threads/ exists)
  --pages LIST        isolated,plain (default both: cross-origin isolated and not)
  --mlp NxR           setup 1: N timed steps × R repeats (default 30x5)
  --conv NxR          ConvNet: N timed steps × R repeats (default 5x3)
  --warmup-mlp N      setup-1 warm-up steps (default 5)
  --warmup-conv N     ConvNet warm-up steps (default 2)
  --budget-mlp S      seconds of timed steps per setup-1 job before N is cut (default 120)
  --budget-conv S     the same for a ConvNet job (default 300)
  --batches K         distinct batches cycled through (default 8)
  --seed N            seed of the initial weights (default 42)
  --data-dir DIR      folder holding cifar-10-batches-bin (default ../shared/datasets)
  --out-dir DIR       where browser-train-step.{md,jsonl} go (default docs/results)
  --chromium PATH     browser binary (default $DLP_CHROMIUM or /usr/bin/chromium)
  --core src|dist     bundle @dlp/core/browser from its TypeScript sources (default) or its built dist/
  --jax-convnet       time jax-js's whole ConvNet step (1 warm-up, 1 timed step: minutes per step here);
                      default: time one of its 3×3 convolutions instead and estimate the step from it
  --quick             smoke run: 3x2 steps, 1 warm-up, small budgets
  --headed            show the browser window
  --note TEXT         a line printed under the report's title (e.g. "development run on a busy machine")
`;
}

function parseArgs(argv) {
  const o = {
    setups: ['1', 'convnet'], engines: Object.keys(ENGINES), pages: ['isolated', 'plain'],
    mlp: [30, 5], conv: [5, 3], warmupMlp: 5, warmupConv: 2, budgetMlp: 120, budgetConv: 300, batches: 8, seed: 42,
    dataDir: DEFAULT_DATA_DIR, outDir: 'docs/results', chromium: CHROMIUM, core: 'src', headed: false, jaxConvnet: false, note: null,
  };
  const list = (v, allowed, flag) => {
    const xs = v.split(',').map((s) => s.trim()).filter(Boolean);
    for (const x of xs) if (!allowed.includes(x)) fail(`${flag}: unknown '${x}' (expected ${allowed.join(', ')})`);
    return xs;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => (i + 1 < argv.length ? argv[++i] : fail(`${a} needs a value`));
    const num = (v) => (Number.isFinite(Number(v)) && Number(v) >= 0 ? Number(v) : fail(`${a} wants a non-negative number, got ${v}`));
    const int = (v) => (Number.isInteger(Number(v)) && Number(v) >= 1 ? Number(v) : fail(`${a} wants a positive integer, got ${v}`));
    const nxr = (v) => {
      const m = /^(\d+)x(\d+)$/.exec(v);
      if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) fail(`${a} wants STEPSxREPEATS, e.g. 30x5, got ${v}`);
      return [Number(m[1]), Number(m[2])];
    };
    if (a === '--setups') o.setups = list(val(), Object.keys(SETUPS), a);
    else if (a === '--engines') o.engines = list(val(), Object.keys(ENGINES), a);
    else if (a === '--pages') o.pages = list(val(), ['isolated', 'plain'], a);
    else if (a === '--mlp') o.mlp = nxr(val());
    else if (a === '--conv') o.conv = nxr(val());
    else if (a === '--warmup-mlp') o.warmupMlp = int(val());
    else if (a === '--warmup-conv') o.warmupConv = int(val());
    else if (a === '--budget-mlp') o.budgetMlp = num(val());
    else if (a === '--budget-conv') o.budgetConv = num(val());
    else if (a === '--batches') o.batches = int(val());
    else if (a === '--seed') o.seed = int(val());
    else if (a === '--data-dir') o.dataDir = path.resolve(val());
    else if (a === '--out-dir') o.outDir = val();
    else if (a === '--chromium') o.chromium = val();
    else if (a === '--core') o.core = list(val(), ['src', 'dist'], a)[0];
    else if (a === '--quick') Object.assign(o, { mlp: [3, 2], conv: [1, 2], warmupMlp: 1, warmupConv: 1, budgetMlp: 20, budgetConv: 60 });
    else if (a === '--headed') o.headed = true;
    else if (a === '--jax-convnet') o.jaxConvnet = true;
    else if (a === '--note') o.note = val();
    else if (a === '--help' || a === '-h') { process.stdout.write(usage()); process.exit(0); }
    else fail(`unknown option ${a}\n${usage()}`);
  }
  return o;
}

/** The CIFAR-10 folder: DIR itself when it holds the .bin files, else DIR/cifar-10-batches-bin. */
function cifarDir(dir) {
  for (const d of [dir, path.join(dir, 'cifar-10-batches-bin')]) if (fs.existsSync(path.join(d, 'data_batch_1.bin'))) return d;
  return fail(`no CIFAR-10 binary files under ${dir} (expected data_batch_1.bin … test_batch.bin, or a cifar-10-batches-bin folder); pass --data-dir`);
}

/** Whether a peer's packages are installed in its folder; prints how to install them when not. */
function peerInstalled(peer) {
  const { dir, packages } = PEER_PACKAGES[peer];
  const missing = packages.filter((p) => !fs.existsSync(path.join(dir, 'node_modules', ...p.split('/'), 'package.json')));
  if (missing.length) {
    process.stderr.write(`${NAME}: ${peer} is not installed (${missing.join(', ')} missing): run \`(cd ${rel(dir)} && npm install --no-package-lock)\`; skipping it\n`);
    return false;
  }
  return true;
}

function versionOf(dir, pkg) {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', ...pkg.split('/'), 'package.json'), 'utf8')).version;
  } catch {
    return null;
  }
}

/** Bundles one worker with esbuild (the devDependency of @dlp/core); the error text on failure. */
async function bundleWorker(esbuild, name, core) {
  try {
    await esbuild.build({
      entryPoints: [path.join(HERE, 'src', `worker-${name}.js`)],
      outfile: path.join(DIST, 'workers', `${name}.js`),
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'chrome110',
      logLevel: 'silent',
      alias: { '@dlp/core/browser': core === 'src' ? path.join(CORE, 'src', 'browser.ts') : path.join(CORE, 'dist', 'browser.js') },
      nodePaths: [path.join(PEERS, 'tfjs', 'node_modules'), path.join(PEERS, 'jax-js', 'node_modules'), path.join(CORE, 'node_modules')],
      define: { 'process.env.NODE_ENV': '"production"' },
    });
    return null;
  } catch (err) {
    return (err.errors ?? []).map((e) => `${e.location ? `${e.location.file}:${e.location.line}: ` : ''}${e.text}`).join('; ') || String(err);
  }
}

/** Rough multiply-add counts of one training step, ×2 FLOPs: forward, plus the backward's dW and dX (no dX for the input layer). */
function stepFlops(setup, B) {
  if (setup === '1') {
    const fwd = 2 * B * (3072 * 100 + 100 * 10);
    return { total: fwd + 2 * B * (3072 * 100 + 100 * 10) + 2 * B * 100 * 10, note: 'GEMMs only: forward, dW of both layers, dX of the second' };
  }
  const convs = [[32, 3, 64, 3, false], [32, 64, 64, 3], [32, 64, 128, 1], [16, 128, 128, 3], [16, 128, 128, 3], [16, 128, 256, 1], [8, 256, 256, 3], [8, 256, 256, 3], [8, 256, 512, 1], [4, 512, 512, 3], [4, 512, 512, 3], [2, 512, 512, 3], [2, 512, 512, 3]];
  let total = 0;
  for (const [hw, cin, cout, k, dx = true] of convs) {
    const f = 2 * B * hw * hw * cin * cout * k * k;
    total += f * (dx ? 3 : 2);
  }
  total += 3 * 2 * B * 512 * 10;
  return { total, note: 'convolutions as GEMMs (im2col) and the Linear: forward, dW, dX (none for conv0)' };
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const loadStart = loadAtStart(NAME);
  const data = cifarDir(o.dataDir);
  if (!fs.existsSync(o.chromium)) fail(`${o.chromium} not found: install Debian's chromium (apt-get install -y chromium) or pass --chromium / set DLP_CHROMIUM`);
  if (!fs.existsSync(path.join(CORE, 'wasm', 'simd', 'dlp_wasm_bg.wasm'))) fail('packages/core/wasm/simd/ is not built: run `pnpm --filter @dlp/core build:wasm`');
  if (o.core === 'dist' && !fs.existsSync(path.join(CORE, 'dist', 'browser.js'))) fail('packages/core/dist/browser.js is missing: run `pnpm --filter @dlp/core build:ts` or use --core src');
  const requireCore = createRequire(path.join(CORE, 'package.json'));
  let esbuild;
  try {
    esbuild = requireCore('esbuild');
  } catch {
    fail('esbuild (a devDependency of @dlp/core) is not installed: run `pnpm install`');
  }
  let playwright;
  try {
    playwright = createRequire(path.join(ROOT, 'packages', 'web-demo', 'package.json'))('playwright-core');
  } catch {
    fail('playwright-core (a devDependency of @dlp/web-demo) is not installed: run `pnpm install`');
  }
  const threadsBuilt = fs.existsSync(path.join(CORE, 'wasm', 'threads'));
  const skipped = [];
  const engines = o.engines.filter((e) => {
    if (e === 'dlp-threads' && !threadsBuilt) {
      process.stderr.write(`${NAME}: packages/core/wasm/threads/ does not exist (the threaded wasm build is not made yet): skipping dlp-threads\n`);
      skipped.push({ engine: e, why: 'packages/core/wasm/threads/ not built' });
      return false;
    }
    const peer = ENGINES[e].peer;
    if (peer && !peerInstalled(peer)) {
      skipped.push({ engine: e, why: `not installed: (cd ${rel(PEER_PACKAGES[peer].dir)} && npm install --no-package-lock)` });
      return false;
    }
    return true;
  });

  // Bundle the page's workers.
  fs.rmSync(DIST, { recursive: true, force: true });
  fs.mkdirSync(path.join(DIST, 'workers'), { recursive: true });
  for (const f of fs.readdirSync(path.join(HERE, 'static'))) fs.copyFileSync(path.join(HERE, 'static', f), path.join(DIST, f));
  const bundled = {};
  for (const worker of new Set(engines.map((e) => ENGINES[e].worker))) {
    const t0 = Date.now();
    const error = await bundleWorker(esbuild, worker, o.core);
    bundled[worker] = error;
    if (error) process.stderr.write(`${NAME}: bundling workers/${worker}.js failed: ${error}\n`);
    else process.stderr.write(`${NAME}: bundled workers/${worker}.js (${(fs.statSync(path.join(DIST, 'workers', `${worker}.js`)).size / 1024).toFixed(0)} KiB, ${Date.now() - t0} ms)\n`);
  }

  const { startStaticServer } = await import(pathToFileURL(path.join(ROOT, 'packages', 'web-demo', 'scripts', 'static-server.mjs')).href);
  const mounts = { '/data/': data, '/wasm/': path.join(CORE, 'wasm'), '/tfjs/': path.join(PEERS, 'tfjs', 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist') };
  const servers = {};
  for (const kind of o.pages) servers[kind] = await startStaticServer(DIST, { mounts, isolated: kind === 'isolated' });
  const browser = await playwright.chromium.launch({ executablePath: o.chromium, args: o.headed ? CHROMIUM_FLAGS.filter((f) => f !== '--headless') : CHROMIUM_FLAGS, headless: !o.headed });
  const chromiumVersion = browser.version();
  process.stderr.write(`${NAME}: Chromium ${chromiumVersion}\n`);

  const results = [];
  const pageInfos = {};
  try {
    for (const kind of o.pages) {
      const page = await browser.newPage();
      page.on('console', (m) => process.stderr.write(`  ${m.text()}\n`));
      page.on('pageerror', (e) => process.stderr.write(`  page error: ${e.message}\n`));
      await page.goto(`${servers[kind].url}index.html`);
      await page.waitForFunction(() => typeof window.runJob === 'function');
      pageInfos[kind] = await page.evaluate(() => window.pageInfo());
      process.stderr.write(`${NAME}: ${kind} page: crossOriginIsolated=${pageInfos[kind].crossOriginIsolated}, hardwareConcurrency=${pageInfos[kind].hardwareConcurrency}\n`);
      for (const setup of o.setups) {
        const conv = setup === 'convnet';
        for (const engine of engines) {
          const spec = ENGINES[engine];
          if (spec.isolatedOnly && kind !== 'isolated') continue;
          const base = { page: kind, setup, engine, label: spec.label, batchSize: SETUPS[setup].batchSize };
          if (bundled[spec.worker]) {
            results.push({ ...base, ok: false, error: `bundle failed: ${bundled[spec.worker]}` });
            continue;
          }
          const [steps, repeats] = conv ? o.conv : o.mlp;
          const slowJax = engine === 'jax' && conv;
          const plan = slowJax && o.jaxConvnet ? { warmup: 1, steps: 1, repeats: 1, budgetS: 0 } : { warmup: conv ? o.warmupConv : o.warmupMlp, steps, repeats, budgetS: conv ? o.budgetConv : o.budgetMlp };
          const job = {
            id: `${kind}/${setup}/${engine}`, worker: spec.worker, setup, seed: o.seed, batchSize: SETUPS[setup].batchSize, batches: o.batches, plan,
            variant: spec.variant, gemm: spec.dlp && !conv ? [200, 3072, 100] : undefined,
            stepGemms: spec.dlp && setup === '1' ? [[200, 3072, 100, false, true], [100, 200, 3072, true, false], [200, 100, 10, false, true], [10, 200, 100, true, false], [200, 10, 100, false, false]] : undefined, probe: slowJax && !o.jaxConvnet,
          };
          process.stderr.write(`${NAME}: ${job.id} …\n`);
          const limitS = slowJax && o.jaxConvnet ? 3600 : 120 + plan.budgetS * 2.5 + 60 * plan.warmup * (conv ? 3 : 0.2);
          const t0 = Date.now();
          let timer;
          const message = await Promise.race([
            page.evaluate((j) => window.runJob(j), job),
            new Promise((resolve) => { timer = setTimeout(() => resolve({ type: 'error', message: `no result after ${limitS.toFixed(0)} s (page reloaded)`, timedOut: true }), limitS * 1000); }),
          ]);
          clearTimeout(timer);
          if (message.timedOut) await page.reload();
          const wallS = (Date.now() - t0) / 1000;
          if (message.type === 'result' && message.result.probe) {
            const p = message.result.probe;
            results.push({ ...base, ok: false, probe: p, wall_s: wallS, backend: message.result.backend, error: 'not timed (too slow for a default run; --jax-convnet times it)' });
            process.stderr.write(`${NAME}: ${job.id}: probe: ${p.what}: ${p.gflops.toFixed(2)} GFLOPS\n`);
          } else if (message.type === 'result') {
            const r = message.result;
            results.push({ ...base, ok: true, wall_s: wallS, ...r });
            process.stderr.write(`${NAME}: ${job.id}: ${(r.timing.medianSecondsPerStep * 1000).toFixed(1)} ms/step (loss ${r.timing.firstLoss.toFixed(4)} → ${r.timing.lastLoss.toFixed(4)})\n`);
          } else {
            results.push({ ...base, ok: false, wall_s: wallS, error: message.message });
            process.stderr.write(`${NAME}: ${job.id}: FAILED: ${message.message}\n`);
          }
        }
      }
      await page.close();
    }
  } finally {
    await browser.close();
    for (const s of Object.values(servers)) await s.close();
  }
  const loadEnd = os.loadavg();
  const facts = machineFacts();
  const versions = {
    chromium: chromiumVersion,
    tfjs: versionOf(PEER_PACKAGES.tfjs.dir, '@tensorflow/tfjs'),
    tfjsBackendWasm: versionOf(PEER_PACKAGES.tfjs.dir, '@tensorflow/tfjs-backend-wasm'),
    jaxJs: versionOf(PEER_PACKAGES['jax-js'].dir, '@jax-js/jax'),
    dlpWasmBuilds: fs.readdirSync(path.join(CORE, 'wasm')).filter((d) => fs.existsSync(path.join(CORE, 'wasm', d, 'dlp_wasm_bg.wasm'))),
  };
  report(o, { facts, loadStart, loadEnd, versions, pageInfos, results, skipped, threadsBuilt });
}

const ms = (s) => (s == null ? '–' : `${(s * 1000).toFixed(s < 0.1 ? 1 : 0)} ms`);
const ratio = (a, b) => (a == null || b == null ? '–' : (a / b).toFixed(2));

function report(o, { facts, loadStart, loadEnd, versions, pageInfos, results, skipped, threadsBuilt }) {
  const raw = [JSON.stringify({ event: 'machine', ...facts, versions, pages: pageInfos, options: o, load_start: loadStart, load_end: loadEnd, date: new Date().toISOString() })];
  for (const r of results) raw.push(JSON.stringify({ event: 'job', ...r }));
  const find = (page, setup, engine) => results.find((r) => r.page === page && r.setup === setup && r.engine === engine);
  const lines = [
    '# In-browser training step: dlp wasm vs TensorFlow.js and jax-js (headless Chromium)',
    '',
    ...(o.note ? [`**${o.note}**`, ''] : []),
    `Seconds per training step, side by side in one Chromium run (\`${thisCommand('bench/browser/train-step.mjs')}\`, ${new Date().toISOString().slice(0, 10)}).`,
    'Every engine trains the same model from the same initial weights (dlp\'s, seed ' + o.seed + ') on the same batches: CIFAR-10 training images as float32 0–255 minus the per-pixel training mean, NCHW,',
    `the first ${o.batches} batches in file order, cycled. Each job runs in its own Web Worker of the page: warm-up (jit compilation, first steps), then R repeats of N timed steps;`,
    'the figure is the median over the repeats of seconds per step (min–max over the repeats beside it). Ratios are dlp / peer (below 1: dlp faster), within one page.',
    'dlp\'s step is its training loop\'s (`train.imageBatch` gather + `AutogradTrainer.trainStep`: forward, cross-entropy, backward, optimiser step, loss read back);',
    'the peers\' step turns the centred floats and one-hot labels into tensors, runs forward + backward + update and reads the loss back.',
    '',
    '## Machine',
    '',
    ...machineLines(facts, loadStart, loadEnd),
    `- Chromium ${versions.chromium}, flags \`${CHROMIUM_FLAGS.join(' ')}\`; dlp wasm builds present: ${versions.dlpWasmBuilds.join(', ')}${threadsBuilt ? '' : ' (no threads/ build yet)'}`,
    `- peers: TensorFlow.js ${versions.tfjs ?? 'not installed'} (+ tfjs-backend-wasm ${versions.tfjsBackendWasm ?? '–'}), jax-js ${versions.jaxJs ?? 'not installed'}`,
    ...Object.entries(pageInfos).map(([k, p]) => `- ${k} page: crossOriginIsolated = ${p.crossOriginIsolated}, navigator.hardwareConcurrency = ${p.hardwareConcurrency}`),
  ];
  const gemm = ['plain', 'isolated'].map((page) => results.find((r) => r.ok && r.gemm && r.engine === 'dlp' && r.page === page)).find(Boolean);
  if (gemm) lines.push(`- scale: dlp wasm GEMM ${gemm.gemm.shape}, one call, 1 thread: ${gemm.gemm.gflops.toFixed(1)} GFLOPS (${gemm.page} page, after the setup-1 job)`);
  lines.push('');
  for (const setup of o.setups) {
    const B = SETUPS[setup].batchSize;
    const flops = stepFlops(setup, B);
    lines.push(`## ${SETUPS[setup].label}`, '');
    lines.push('| page | engine | ms / step (median) | min–max | timed steps × repeats (warm-up) | threads | loss: step 1 → last | note |', '|---|---|---|---|---|---|---|---|');
    for (const page of o.pages) {
      for (const engine of Object.keys(ENGINES)) {
        const r = find(page, setup, engine);
        if (!r) continue;
        if (!r.ok && r.probe) {
          const est = flops.total / (r.probe.gflops * 1e9);
          lines.push(`| ${page} | ${r.label} | not timed: ≳ ${est.toFixed(0)} s (estimate) | | | ${r.backend.threads} | | ${r.probe.what}: ${r.probe.seconds.map((x) => x.toFixed(2)).join(' / ')} s (first call compiles) = ${r.probe.gflops.toFixed(2)} GFLOPS; at that rate the step's ${(flops.total / 1e9).toFixed(0)} GFLOP take ~${est.toFixed(0)} s. \`--jax-convnet\` times the real step |`);
          continue;
        }
        if (!r.ok) {
          lines.push(`| ${page} | ${r.label} | cannot train / failed | | | | | ${String(r.error).replaceAll('|', '\\|').replaceAll('\n', ' ').slice(0, 400)} |`);
          continue;
        }
        const t = r.timing;
        const sane = t.nonFiniteAtStep == null && t.lastLoss < t.firstLoss;
        const notes = [r.backend.describe];
        if (r.gemm) notes.push(`GEMM ${r.gemm.shape}: ${r.gemm.gflops.toFixed(1)} GFLOPS`);
        if (t.steps !== t.stepsRequested) notes.push(`cut to ${t.steps} steps by the budget`);
        if (!sane) notes.push(t.nonFiniteAtStep != null ? `**loss not finite at step ${t.nonFiniteAtStep}**` : '**loss did not decrease**');
        lines.push(`| ${page} | ${r.label} | ${ms(t.medianSecondsPerStep)} | ${ms(Math.min(...t.secondsPerStep))}–${ms(Math.max(...t.secondsPerStep))} | ${t.steps} × ${t.repeats} (${t.warmup}) | ${r.backend.threads} | ${t.firstLoss.toFixed(4)} → ${t.lastLoss.toFixed(4)} | ${notes.join('; ')} |`);
      }
    }
    lines.push('', '| page | ratio | value |', '|---|---|---|');
    for (const page of o.pages) {
      for (const dlpEngine of ['dlp', 'dlp-threads']) {
        const d = find(page, setup, dlpEngine);
        if (!d?.ok) continue;
        for (const peer of ['tfjs', 'jax']) {
          const p = find(page, setup, peer);
          if (!p) continue;
          const estimate = p.probe ? flops.total / (p.probe.gflops * 1e9) : null;
          const value = p.ok ? ratio(d.timing.medianSecondsPerStep, p.timing.medianSecondsPerStep) : estimate ? `~${(d.timing.medianSecondsPerStep / estimate).toPrecision(2)} (peer's step estimated from its conv probe, not measured)` : 'peer cannot train';
          lines.push(`| ${page} | ${d.label} / ${p.label} | ${value} |`);
        }
      }
      const one = find(page, setup, 'dlp');
      const thr = find(page, setup, 'dlp-threads');
      if (one?.ok && thr?.ok) lines.push(`| ${page} | dlp threads / dlp 1 thread | ${ratio(thr.timing.medianSecondsPerStep, one.timing.medianSecondsPerStep)} |`);
    }
    const iso = find('isolated', setup, 'dlp');
    const plain = find('plain', setup, 'dlp');
    if (iso?.ok && plain?.ok) lines.push(`| both | dlp 1 thread, isolated / plain page | ${ratio(iso.timing.medianSecondsPerStep, plain.timing.medianSecondsPerStep)} |`);
    lines.push('');
    const g = gemm?.gemm.gflops;
    lines.push(`Work per step: about ${(flops.total / 1e9).toFixed(2)} GFLOP (${flops.note}).`);
    if (setup !== '1') {
      const d = find('plain', setup, 'dlp')?.ok ? find('plain', setup, 'dlp') : find('isolated', setup, 'dlp');
      if (d?.ok) lines.push(`dlp's 1-thread step (${d.page} page) runs that at ${(flops.total / d.timing.medianSecondsPerStep / 1e9).toFixed(1)} GFLOP/s im2col-equivalent (its 3×3 convolutions use Winograd, which needs fewer multiply-adds).`);
    } else if (g) {
      const gemmS = flops.total / (g * 1e9);
      const d = find('plain', setup, 'dlp')?.ok ? find('plain', setup, 'dlp') : find('isolated', setup, 'dlp');
      for (const r of ['dlp', 'dlp-threads'].flatMap((e) => o.pages.map((p) => find(p, setup, e)))) {
        if (!r?.ok || !r.stepGemms) continue;
        const total = r.stepGemms.reduce((a, x) => a + x.medianSeconds, 0);
        lines.push(`${r.label}, ${r.page} page: the step's five GEMMs, each timed alone (${r.stepGemms.map((x) => `${x.shape}: ${(x.medianSeconds * 1000).toFixed(2)} ms, ${x.gflops.toFixed(1)} GFLOPS`).join('; ')}) sum to ${ms(total)} of its ${ms(r.timing.medianSecondsPerStep)} step: ${ms(r.timing.medianSecondsPerStep - total)} (${(100 * (1 - total / r.timing.medianSecondsPerStep)).toFixed(0)}%) is outside the GEMMs.`, '');
      }
      if (d?.ok) lines.push(`At dlp's measured ${g.toFixed(1)} GFLOPS (GEMM ${gemm.gemm.shape}) that is ${ms(gemmS)} of GEMM; dlp's 1-thread step (${d.page} page) took ${ms(d.timing.medianSecondsPerStep)}, so roughly ${ms(d.timing.medianSecondsPerStep - gemmS)} (${(100 * (1 - gemmS / d.timing.medianSecondsPerStep)).toFixed(0)}%) goes elsewhere (other kernels, gather, allocation, JS) or to GEMM shapes slower than this one.`);
    }
    lines.push('');
  }
  if (skipped.length) lines.push('## Left out', '', ...skipped.map((s) => `- ${s.engine}: ${s.why}`), '');
  lines.push(
    '## Notes',
    '',
    '- Same start everywhere: step 1\'s loss is computed before any update, from the same weights and batch, so it agrees across engines to float32 rounding; the last loss is after all warm-up and timed steps (the same count only when no budget cut applied).',
    '- jax-js 0.1.25: `nn.elu` gives NaN gradients for inputs above ~88 (setup 1\'s pre-activations reach that on 0–255 inputs), so its ELU is `where(x > 0, x, expm1(min(x, 0)))`. Its max-pool pads with zeros plus a −1e30 border (never the max, like PyTorch\'s −inf padding) and reduces with `lax.reduceWindow(np.max)`; the whole step (valueAndGrad + update) is one `jit`. In a cross-origin-isolated page it dispatches kernels to a pool of `navigator.hardwareConcurrency` workers, otherwise one thread.',
    '- TensorFlow.js 4.22: the full `@tensorflow/tfjs` (gradients registered) on `@tensorflow/tfjs-backend-wasm`; in an isolated page it loads its threaded SIMD build, elsewhere the SIMD one. Its wasm backend has no `Conv2DBackpropFilter` kernel, so it cannot train the ConvNet (the error is in the table). The ConvNet runs NHWC there.',
    '- Peers\' BatchNorm normalises with the batch statistics but keeps no running averages (they do not enter a training step\'s gradients); dlp updates its running averages as PyTorch does.',
    '- dlp\'s threads build (`packages/core/wasm/threads/`) needs a cross-origin-isolated page and runs only there.',
    '',
    '## Reproduce',
    '',
    '```sh',
    'pnpm install && pnpm --filter @dlp/core build:wasm',
    '(cd bench/peers/tfjs && npm install --no-package-lock)',
    '(cd bench/peers/jax-js && npm install --no-package-lock)',
    thisCommand('bench/browser/train-step.mjs'),
    '```',
    '',
  );
  const md = lines.join('\n');
  writeResults(NAME, o.outDir, 'browser-train-step', raw, md);
  process.stdout.write(md);
}

main().catch((err) => fail(err?.stack ?? String(err), 1));
