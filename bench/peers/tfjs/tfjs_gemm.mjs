#!/usr/bin/env node
// TensorFlow.js peer for `dlp bench gemm`: tf.matMul in float32 on the wasm backend, in Node,
// SIMD on, one thread. Prints one JSON line per shape on stdout, in the format of
// `dlp bench gemm --json`:
//   {"backend":"tfjs-wasm","m":M,"k":K,"n":N,"threads":1,"gflops":G}
// G = 2*M*K*N / (median seconds of one matMul + dataSync) / 1e9, over timed runs after a
// warm-up (time-budgeted per shape, at least --min-runs runs). The wasm backend computes
// synchronously inside matMul; dataSync() reads the result back, as a user would.
// `--no-readback` times matMul alone (the result tensor is still disposed each run).
//
// On stderr: tfjs versions, the wasm flavour actually loaded (the .wasm file the backend read:
// plain / simd / threaded-simd) and the XNNPACK thread count; a last line `peer-info {...}`
// carries the same as JSON for bench/gemm-side-by-side.mjs. The script fails unless the
// flavour is simd and the thread count 1 (use --allow-any-flavour to measure anyway).
//
// Install once (this folder is not part of the pnpm workspace):
//   cd bench/peers/tfjs && npm install --no-package-lock
// Run:
//   node bench/peers/tfjs/tfjs_gemm.mjs [--budget S] [--shapes 200x3072x100,...] [--quick]

import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const SHAPES = [[200, 3072, 100], [128, 3072, 1024], [128, 1024, 512], [1024, 1024, 1024], [32768, 576, 64]];
const WASM_FILES = {
  'tfjs-backend-wasm.wasm': 'plain',
  'tfjs-backend-wasm-simd.wasm': 'simd',
  'tfjs-backend-wasm-threaded-simd.wasm': 'threaded-simd',
};

function fail(msg) {
  process.stderr.write(`tfjs_gemm: ${msg}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const o = { budget: 1.0, warmup: 0.2, minRuns: 5, maxRuns: 500, shapes: SHAPES, readback: true, anyFlavour: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) fail(`${a} needs a value`);
      return argv[++i];
    };
    const num = (v) => {
      const x = Number(v);
      if (!Number.isFinite(x) || x < 0) fail(`${a} wants a non-negative number, got ${v}`);
      return x;
    };
    if (a === '--budget') o.budget = num(val());
    else if (a === '--warmup') o.warmup = num(val());
    else if (a === '--min-runs') o.minRuns = Math.max(1, Math.floor(num(val())));
    else if (a === '--max-runs') o.maxRuns = Math.max(1, Math.floor(num(val())));
    else if (a === '--quick') { o.budget = 0.1; o.warmup = 0.05; }
    else if (a === '--no-readback') o.readback = false;
    else if (a === '--allow-any-flavour') o.anyFlavour = true;
    else if (a === '--json') { /* always JSON; accepted for symmetry with `dlp bench gemm` */ }
    else if (a === '--threads') { if (val() !== '1') fail('only --threads 1 is measured (the wasm build runs single-threaded in Node)'); }
    else if (a === '--shapes') {
      o.shapes = val().split(',').map((s) => s.toLowerCase().split('x').map(Number));
      if (!o.shapes.every((s) => s.length === 3 && s.every((v) => Number.isInteger(v) && v > 0))) {
        fail('--shapes wants a list like 200x3072x100,1024x1024x1024');
      }
    } else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: node tfjs_gemm.mjs [--budget S] [--warmup S] [--min-runs N] [--max-runs N] [--shapes MxKxN,...] [--quick] [--no-readback]\n');
      process.exit(0);
    } else fail(`unknown option ${a}`);
  }
  return o;
}

const opts = parseArgs(process.argv.slice(2));
const require = createRequire(import.meta.url);

let tf, wasmBackend;
try {
  tf = require('@tensorflow/tfjs-core');
  wasmBackend = require('@tensorflow/tfjs-backend-wasm');
} catch (e) {
  const here = path.dirname(new URL(import.meta.url).pathname);
  const rel = path.relative(process.cwd(), here);
  fail(`TensorFlow.js is not installed (${e.code ?? e.message}); run: cd ${rel === '' ? '.' : rel.startsWith('..') ? here : rel} && npm install --no-package-lock`);
}

// Record which .wasm binary the Emscripten loader reads: in Node it goes through fs.readFileSync
// (or fs.readFile) on the path built from setWasmPaths' prefix.
const fs = require('node:fs');
const wasmReads = [];
for (const name of ['readFileSync', 'readFile']) {
  const orig = fs[name];
  fs[name] = function (file, ...rest) {
    const p = file instanceof URL ? file.pathname : String(file);
    if (p.endsWith('.wasm')) wasmReads.push(p);
    return orig.call(this, file, ...rest);
  };
}

// The binaries ship in the package's dist folder, next to its Node entry point.
const distDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
wasmBackend.setWasmPaths(distDir + path.sep);
wasmBackend.setThreadsCount(1);
if (!(await tf.setBackend('wasm'))) fail('tf.setBackend("wasm") failed');
await tf.ready();

const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
const multithread = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
const loaded = wasmReads.map((p) => path.basename(p));
const flavour = loaded.length ? (WASM_FILES[loaded[loaded.length - 1]] ?? `unknown (${loaded.at(-1)})`) : 'unknown (no .wasm read seen)';
const threads = wasmBackend.getThreadsCount();
const info = {
  tfjs_core: tf.version_core,
  tfjs_backend_wasm: wasmBackend.version_wasm,
  backend: tf.getBackend(),
  flavour,
  wasm_file: wasmReads.at(-1) ?? null,
  simd_supported: simd,
  multithread_supported: multithread,
  threads,
  readback: opts.readback,
  node: process.version,
};
const log = (s) => process.stderr.write(s + '\n');
log(`tfjs-core ${info.tfjs_core}, tfjs-backend-wasm ${info.tfjs_backend_wasm}, backend ${info.backend}, node ${info.node}`);
log(`wasm flavour: ${flavour} (${info.wasm_file}); SIMD supported: ${simd}; multithread supported: ${multithread}; XNNPACK threads: ${threads}`);
if ((flavour !== 'simd' || threads !== 1) && !opts.anyFlavour) {
  fail(`expected the SIMD single-thread build, got flavour ${flavour} with ${threads} thread(s)`);
}

// Deterministic inputs in [-1, 1): a small LCG, so runs are comparable.
function randomArray(len, seed) {
  const out = new Float32Array(len);
  let s = seed >>> 0;
  for (let i = 0; i < len; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

function medianSeconds(fn) {
  let t0 = performance.now();
  let n = 0;
  while (n < 2 || performance.now() - t0 < opts.warmup * 1e3) { fn(); n++; }
  const times = [];
  t0 = performance.now();
  while (times.length < opts.minRuns || (performance.now() - t0 < opts.budget * 1e3 && times.length < opts.maxRuns)) {
    const s = performance.now();
    fn();
    times.push((performance.now() - s) / 1e3);
  }
  times.sort((x, y) => x - y);
  const h = times.length >> 1;
  return [times.length % 2 ? times[h] : (times[h - 1] + times[h]) / 2, times.length];
}

for (const [m, k, n] of opts.shapes) {
  const a = tf.tensor2d(randomArray(m * k, 1 + m), [m, k], 'float32');
  const b = tf.tensor2d(randomArray(k * n, 2 + n), [k, n], 'float32');
  const run = () => {
    const c = tf.matMul(a, b);
    if (opts.readback) c.dataSync();
    c.dispose();
  };
  const [med, runs] = medianSeconds(run);
  a.dispose();
  b.dispose();
  const gflops = (2 * m * k * n) / med / 1e9;
  log(`${m}x${k}x${n}: median ${(med * 1e3).toFixed(3)} ms over ${runs} runs, ${gflops.toFixed(1)} GFLOPS`);
  process.stdout.write(JSON.stringify({ backend: 'tfjs-wasm', m, k, n, threads, gflops: Math.round(gflops * 100) / 100 }) + '\n');
}
log('peer-info ' + JSON.stringify(info));
