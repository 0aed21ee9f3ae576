#!/usr/bin/env node
// GEMM throughput of the two wasm builds (packages/core/wasm/{simd,scalar}), in GFLOPS: median of
// timed runs after a warm-up, one thread (wasm has one), C = op(A)·op(B) with op(A) m×k and op(B)
// k×n. Shapes are (m, k, n) as in crates/kernels/benches/gemm.rs and `dlp bench gemm`; a suffix
// :tn, :nt or :tt transposes A (stored k×m) and/or B (stored n×k), as backprop does.
//
// Usage: node scripts/wasm-simd-vs-scalar.mjs [m,k,n[:tn] ...]  (build first: node scripts/build-wasm.mjs)
// No npm dependencies: loads wasm-bindgen's glue directly.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_SHAPES = [
  [200, 3072, 100],
  [128, 3072, 1024],
];

async function load(variant) {
  const dir = join(ROOT, 'packages', 'core', 'wasm', variant);
  const glue = join(dir, 'dlp_wasm.js');
  const wasm = join(dir, 'dlp_wasm_bg.wasm');
  for (const f of [glue, wasm]) {
    if (!existsSync(f)) {
      console.error(`${f} is missing: build it with \`node scripts/build-wasm.mjs\``);
      process.exit(1);
    }
  }
  const mod = await import(pathToFileURL(glue).href);
  mod.initSync({ module: readFileSync(wasm) });
  if (mod.simd128() !== (variant === 'simd')) throw new Error(`${variant} build reports simd128=${mod.simd128()}`);
  return mod;
}

function medianSeconds(run, budgetMs = 1500) {
  run(); // warm-up: packing buffers, cache-size probe, JIT tier-up
  run();
  const times = [];
  const start = performance.now();
  while (times.length < 5 || (performance.now() - start < budgetMs && times.length < 200)) {
    const t = performance.now();
    run();
    times.push((performance.now() - t) / 1000);
  }
  times.sort((a, b) => a - b);
  return { median: times[times.length >> 1], runs: times.length };
}

function fill(view, mod17, offset) {
  for (let i = 0; i < view.length; i++) view[i] = ((i % mod17) - offset) * 0.01;
}

function measure(mod, [m, k, n, ops]) {
  const a = mod.alloc_f32(m * k);
  const b = mod.alloc_f32(k * n);
  const c = mod.alloc_f32(m * n);
  const mem = mod.wasm_memory();
  fill(new Float32Array(mem.buffer, a, m * k), 17, 8);
  fill(new Float32Array(mem.buffer, b, k * n), 13, 6);
  const { median, runs } = medianSeconds(() => mod.sgemm(ops[0] === 't', ops[1] === 't', m, n, k, 1, a, b, 0, c));
  mod.free_f32(a, m * k);
  mod.free_f32(b, k * n);
  mod.free_f32(c, m * n);
  return { gflops: (2 * m * n * k) / median / 1e9, median, runs };
}

/** 'm,k,n' or 'mxkxn', optionally ':tn' (transpose flags of A and B): [m, k, n, 'tn']. */
function parseShape(arg) {
  const [dims, ops = 'nn'] = arg.split(':');
  const shape = dims.split(/[,x]/).map(Number);
  if (shape.length !== 3 || !shape.every((v) => Number.isInteger(v) && v > 0) || !/^[nt]{2}$/.test(ops)) {
    console.error(`${arg}: expected m,k,n or mxkxn with an optional :nn/:tn/:nt/:tt suffix`);
    process.exit(1);
  }
  return [...shape, ops];
}

const shapes = process.argv.length > 2 ? process.argv.slice(2).map(parseShape) : DEFAULT_SHAPES.map((s) => [...s, 'nn']);
const simd = await load('simd');
const scalar = await load('scalar');
console.log(`node ${process.version}, one thread, median after warm-up`);
console.log(`${'m x k x n'.padStart(18)} ${'simd GFLOPS'.padStart(12)} ${'scalar GFLOPS'.padStart(14)} ${'ratio'.padStart(7)}`);
for (const shape of shapes) {
  const s = measure(simd, shape);
  const t = measure(scalar, shape);
  console.log(
    `${(shape.slice(0, 3).join('x') + (shape[3] === 'nn' ? '' : `:${shape[3]}`)).padStart(18)} ${s.gflops.toFixed(2).padStart(12)} ${t.gflops.toFixed(2).padStart(14)} ${(s.gflops / t.gflops).toFixed(2).padStart(7)}`,
  );
}
