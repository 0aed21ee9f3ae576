/**
 * The multi-threaded wasm build (packages/core/wasm/threads/) in headless Chromium, loaded by
 * @dlp/core's loader as a page's Worker would: on a cross-origin isolated page it is the
 * default, runs on a pool of 2+ Web Workers and computes what the TypeScript reference and its
 * own one-thread run compute; a page that is not isolated, or a page's main thread, gets the
 * single-threaded `simd` build instead. Needs `pnpm --filter @dlp/core build:wasm` and
 * chromium. No timings here: bench.mjs in threads-page/ measures.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { bundle, launch, openPage, type ThreadsPage } from './threads-page/harness.mjs';
import type { CheckResult, Loaded } from './threads-page/worker.js';

let browser: Browser;

beforeAll(async () => {
  await bundle();
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
});

describe('wasm threads build', () => {
  let page: ThreadsPage;
  beforeAll(async () => {
    page = await openPage(browser, { isolated: true });
  });
  afterAll(async () => {
    await page?.close();
  });

  it('is picked by default in an isolated page\'s Worker, on a pool of 2+ threads, and matches the reference', async () => {
    expect(await page.isolated()).toBe(true);
    // This machine may report 2 cores or fewer; at least 2 keeps the check about threads.
    const cores = await page.page.evaluate(() => navigator.hardwareConcurrency);
    const threads = Math.max(2, cores);
    const reply = await page.inWorker<CheckResult>({ kind: 'check', threads, gemm: [256, 1024, 512] });
    if (!reply.ok) throw new Error(`${reply.name}: ${reply.message}`);
    const r = reply.result;
    expect(r.crossOriginIsolated).toBe(true);
    expect(r.sharedMemory).toBe(true);
    expect(r.threads).toBe(threads);
    expect(r.describe).toBe(`wasm (SIMD128, threads: ${threads})`);
    for (const kernel of ['gemm', 'batchNorm', 'adam'] as const) {
      expect(r[kernel].vsReference, `${kernel} vs the TS reference`).toBeLessThan(1e-5);
      expect(r[kernel].vsOneThread, `${kernel} on ${threads} threads vs 1`).toBeLessThan(1e-5);
    }
    // Shared memory grows in place: the backend's fresh views see old and new tensors.
    expect(r.growth).toEqual({ grew: true, oldBufferKeptLength: true, earlierTensorIntact: true, newTensorWritable: true });
    expect(page.errors).toEqual([]);
  });

  it('is refused on the main thread (Atomics.wait is not allowed there), which defaults to simd', async () => {
    const forced = await page.onMainThread('threads');
    expect(forced.ok).toBe(false);
    if (!forced.ok) {
      expect(forced.isUnavailable).toBe(true);
      expect(forced.message).toMatch(/Web Worker/);
    }
    const chosen = await page.onMainThread();
    expect(chosen).toEqual({ ok: true, result: { describe: 'wasm (SIMD128, 1 thread)', threads: 1 } });
  });
});

describe('wasm on a page without cross-origin isolation', () => {
  let page: ThreadsPage;
  beforeAll(async () => {
    page = await openPage(browser, { isolated: false });
  });
  afterAll(async () => {
    await page?.close();
  });

  it('gets the simd build in a Worker, and a clear error when asking for threads', async () => {
    expect(await page.isolated()).toBe(false);
    const reply = await page.inWorker<Loaded>({ kind: 'load' });
    expect(reply).toEqual({
      ok: true,
      result: { describe: 'wasm (SIMD128, 1 thread)', threads: 1, crossOriginIsolated: false, sharedMemory: false },
    });
    const forced = await page.inWorker({ kind: 'load', variant: 'threads' });
    expect(forced.ok).toBe(false);
    if (!forced.ok) {
      expect(forced.isUnavailable).toBe(true);
      expect(forced.message).toMatch(/cross-origin isolated/);
    }
    expect(page.errors).toEqual([]);
  });
});
