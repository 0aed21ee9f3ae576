#!/usr/bin/env node
// GEMM GFLOPS of the wasm `simd` build against the `threads` build, each in a Worker of a
// cross-origin isolated page in headless Chromium (median of 7 runs after a warm-up).
// By hand, not a test: node packages/web-demo/test/threads-page/bench.mjs [--threads N] [--json]
import { loadavg } from 'node:os';
import { bundle, launch, openPage } from './harness.mjs';

const at = process.argv.indexOf('--threads');
const SHAPES = [[200, 3072, 100], [128, 3072, 1024]];
const REPEATS = 7;
const ROUNDS = 3;

await bundle();
const browser = await launch();
try {
  const page = await openPage(browser, { isolated: true });
  const cores = await page.page.evaluate(() => navigator.hardwareConcurrency);
  const threads = at > 0 ? Number(process.argv[at + 1]) : Math.max(2, cores);
  // Rounds alternate the builds, so that the load of a shared machine weighs on both alike.
  const rounds = [];
  for (let round = 0; round < ROUNDS; round++) {
    const results = {};
    for (const variant of ['simd', 'threads']) {
      const reply = await page.inWorker({ kind: 'bench', variant, threads, shapes: SHAPES, repeats: REPEATS });
      if (!reply.ok) throw new Error(`${variant}: ${reply.name}: ${reply.message}`);
      results[variant] = reply.result;
    }
    rounds.push(results);
  }
  console.log(`Chromium ${browser.version()}, navigator.hardwareConcurrency ${cores}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  for (const [variant, r] of Object.entries(rounds[0])) console.log(`${variant}: ${r.describe}`);
  console.log(`GEMM GFLOPS, median of ${REPEATS} runs, per round (${ROUNDS} rounds, builds alternating)`);
  console.log('shape (m×k×n)      round  simd GFLOPS  threads GFLOPS  ratio');
  SHAPES.forEach((shape, i) => {
    rounds.forEach((results, round) => {
      const s = results.simd.gemm[i].medianGflops;
      const t = results.threads.gemm[i].medianGflops;
      console.log(`${shape.join('×').padEnd(18)} ${String(round + 1).padStart(5)} ${s.toFixed(2).padStart(12)} ${t.toFixed(2).padStart(15)} ${(t / s).toFixed(2).padStart(6)}`);
    });
  });
  if (process.argv.includes('--json')) console.log(JSON.stringify(rounds));
  await page.close();
} finally {
  await browser.close();
}
