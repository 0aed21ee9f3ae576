// The wasm binding (crates/wasm) as loaded by src/backends/wasm/load{,-node}.ts, both builds. These tests
// need packages/core/wasm/{simd,scalar}/ (`pnpm --filter @dlp/core build:wasm`) and fail, not
// skip, without them.
import { afterEach, describe, expect, it } from 'vitest';

import { ArgumentError, BackendUnavailableError } from '../src/errors.js';
import {
  loadWasmKernels,
  loadWasmKernelsSync,
  wasmSimdSupported,
  type WasmKernels,
  type WasmVariant,
} from '../src/backends/wasm/load-node.js';
import { gemmReference } from '../src/backends/js/gemm.js';
import { Rng } from '../src/random.js';
import { randomArray as seededArray, type GemmShape } from './backends/helpers.js';

/** Deterministic values in [-1, 1), so a failure reproduces. */
function randomArray(length: number, seed: number): Float32Array {
  return seededArray(new Rng(seed), length);
}

type Case = GemmShape;

/** alpha·op(A)·op(B) + beta·C by the reference backend's loops, in f64. */
function naiveSgemm(c: Case, a: Float32Array, b: Float32Array, c0: Float32Array): Float64Array {
  const out = Float64Array.from(c0);
  gemmReference(c, a, b, out);
  return out;
}

/** max |got - want| / max |want|: error relative to the result's scale. */
function relativeError(got: Float32Array, want: Float64Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(got[i]! - want[i]!));
    scale = Math.max(scale, Math.abs(want[i]!));
  }
  return scale === 0 ? diff : diff / scale;
}

/** A buffer in wasm memory holding `data`; views are made fresh since memory may have grown. */
function upload(w: WasmKernels, data: Float32Array): number {
  const ptr = w.allocF32(data.length);
  new Float32Array(w.memory().buffer, ptr, data.length).set(data);
  return ptr;
}

function download(w: WasmKernels, ptr: number, length: number): Float32Array {
  return new Float32Array(w.memory().buffer, ptr, length).slice();
}

/** The generated gemm on buffers at byte pointers, with the lengths the shapes give. */
function gemm(w: WasmKernels, c: Case, a: number, b: number, out: number, lengths?: { a: number; b: number; c: number }): void {
  const n = lengths ?? { a: c.m * c.k, b: c.k * c.n, c: c.m * c.n };
  w.glue.gemm({
    ...c,
    a: { ptr: a, length: n.a },
    b: { ptr: b, length: n.b },
    c: { ptr: out, length: n.c },
    threads: 1,
  });
}

/** Runs one case through the kernel and returns its error against the naive loop. */
function runCase(w: WasmKernels, c: Case, seed: number): number {
  const a = randomArray(c.m * c.k, seed);
  const b = randomArray(c.k * c.n, seed + 1);
  const c0 = c.beta === 0 ? new Float32Array(c.m * c.n).fill(Number.NaN) : randomArray(c.m * c.n, seed + 2);
  const aPtr = upload(w, a);
  const bPtr = upload(w, b);
  const cPtr = upload(w, c0);
  try {
    gemm(w, c, aPtr, bPtr, cPtr);
    return relativeError(download(w, cPtr, c.m * c.n), naiveSgemm(c, a, b, c0));
  } finally {
    w.freeF32(aPtr, a.length);
    w.freeF32(bPtr, b.length);
    w.freeF32(cPtr, c0.length);
  }
}

const CASES: Case[] = [
  { transA: false, transB: false, m: 1, n: 1, k: 1, alpha: 1, beta: 0 },
  { transA: false, transB: false, m: 7, n: 5, k: 3, alpha: 1, beta: 0 },
  { transA: false, transB: false, m: 33, n: 17, k: 65, alpha: 0.5, beta: 2 },
  { transA: true, transB: false, m: 31, n: 29, k: 37, alpha: -1.5, beta: 0.25 },
  { transA: false, transB: true, m: 13, n: 70, k: 129, alpha: 2, beta: -1 },
  { transA: true, transB: true, m: 67, n: 45, k: 23, alpha: 1, beta: 1 },
  { transA: false, transB: false, m: 1, n: 101, k: 57, alpha: 1, beta: 0.5 }, // a row: gemv path
  { transA: false, transB: true, m: 99, n: 1, k: 203, alpha: 0.75, beta: 0 }, // a column
  { transA: false, transB: false, m: 130, n: 257, k: 300, alpha: 1, beta: 0 }, // several blocks
  { transA: true, transB: false, m: 9, n: 11, k: 0, alpha: 1, beta: 3 }, // k = 0: C = beta·C
  // The simd build's own kernel (crates/kernels/src/gemm/simd128): 5x8 tiles, K blocks of up to
  // 576, M blocks of 120, N blocks of 1024; transposes packed four k at a time.
  { transA: false, transB: false, m: 5, n: 8, k: 4, alpha: 1, beta: 0 }, // exactly one tile
  { transA: true, transB: true, m: 6, n: 9, k: 17, alpha: -0.5, beta: 1 }, // one past a tile each way
  { transA: true, transB: true, m: 11, n: 10, k: 1499, alpha: 1, beta: 0 }, // 3 K blocks, NaN C
  { transA: false, transB: true, m: 64, n: 1100, k: 70, alpha: 1.5, beta: 0.5 }, // 2 N blocks
  { transA: true, transB: false, m: 250, n: 20, k: 33, alpha: 1, beta: -2 }, // 3 M blocks
];

const variants: WasmVariant[] = ['simd', 'scalar'];

describe('wasm kernels loader', () => {
  const savedEnv = process.env.DLP_WASM_SIMD;
  afterEach(() => {
    if (savedEnv === undefined) delete process.env.DLP_WASM_SIMD;
    else process.env.DLP_WASM_SIMD = savedEnv;
  });

  it('detects SIMD support (Node 20 has it)', () => {
    expect(wasmSimdSupported()).toBe(true);
  });

  it('loads the scalar build asynchronously (import() of the glue)', async () => {
    const w = await loadWasmKernels({ variant: 'scalar' });
    expect(w.variant).toBe('scalar');
    expect(w.memory()).toBeInstanceOf(WebAssembly.Memory);
    expect(runCase(w, CASES[2]!, 1)).toBeLessThan(1e-5);
  });

  it('loads the simd build synchronously (initSync)', () => {
    const w = loadWasmKernelsSync({ variant: 'simd' });
    expect(w.variant).toBe('simd');
    expect(w.memory()).toBeInstanceOf(WebAssembly.Memory);
    expect(runCase(w, CASES[2]!, 1)).toBeLessThan(1e-5);
  });

  it('returns one instance per variant, sync and async alike', async () => {
    expect(loadWasmKernelsSync({ variant: 'scalar' })).toBe(await loadWasmKernels({ variant: 'scalar' }));
    expect(await loadWasmKernels({ variant: 'simd' })).toBe(loadWasmKernelsSync({ variant: 'simd' }));
    expect(loadWasmKernelsSync({ variant: 'simd' }).memory()).not.toBe(
      loadWasmKernelsSync({ variant: 'scalar' }).memory(),
    );
  });

  it('defaults to simd, and to scalar under DLP_WASM_SIMD=0', () => {
    delete process.env.DLP_WASM_SIMD;
    expect(loadWasmKernelsSync().variant).toBe('simd');
    process.env.DLP_WASM_SIMD = '0';
    expect(loadWasmKernelsSync().variant).toBe('scalar');
  });

  it('rejects an unknown variant', () => {
    expect(() => loadWasmKernelsSync({ variant: 'avx' as WasmVariant })).toThrow(ArgumentError);
  });
});

describe.each(variants)('wasm gemm (%s build)', (variant) => {
  const w = (): WasmKernels => loadWasmKernelsSync({ variant });

  it.each(CASES.map((c, i) => [i, c] as const))(
    'case %i matches the naive loop',
    (i, c) => {
      expect(runCase(w(), c, 100 + i)).toBeLessThan(1e-5);
    },
  );

  it('allocates zeroed, 4-aligned buffers, including empty ones', () => {
    const ptrs = [0, 1, 3, 1000].map((len) => [w().allocF32(len), len] as const);
    for (const [ptr, len] of ptrs) {
      expect(ptr % 4).toBe(0);
      expect(ptr).toBeGreaterThan(0);
      expect(Array.from(new Float32Array(w().memory().buffer, ptr, len)).every((v) => v === 0)).toBe(true);
    }
    for (const [ptr, len] of ptrs) w().freeF32(ptr, len);
  });

  it('ignores C when beta = 0 (NaN does not leak) and handles m = 0', () => {
    expect(runCase(w(), { transA: false, transB: false, m: 5, n: 6, k: 7, alpha: 1, beta: 0 }, 7)).toBeLessThan(1e-5);
    const a = w().allocF32(0);
    const b = w().allocF32(12);
    const c = w().allocF32(0);
    expect(() => gemm(w(), { transA: false, transB: false, m: 0, n: 4, k: 3, alpha: 1, beta: 0 }, a, b, c)).not.toThrow();
    w().freeF32(a, 0);
    w().freeF32(b, 12);
    w().freeF32(c, 0);
  });

  it('throws a coded Error with a message for bad pointers, sizes and overlap', () => {
    const k = w();
    const a = k.allocF32(6); // 2x3
    const b = k.allocF32(12); // 3x4
    const c = k.allocF32(8); // 2x4
    const shape: Case = { transA: false, transB: false, m: 2, n: 4, k: 3, alpha: 1, beta: 0 };
    const codeOf = (call: () => void): unknown => {
      try {
        call();
      } catch (err) {
        expect(err).toBeInstanceOf(Error);
        return (err as { code?: unknown }).code;
      }
      return undefined;
    };
    try {
      const end = k.memory().buffer.byteLength;
      // A buffer running past the end of wasm memory.
      expect(() => gemm(k, shape, end - 8, b, c)).toThrow(/gemm: a at byte \d+ with 6 floats is not a 4-aligned buffer inside wasm memory/);
      // Misaligned and null pointers.
      expect(() => gemm(k, shape, a, b + 2, c)).toThrow(/gemm: b at byte \d+ .*4-aligned/);
      expect(() => gemm(k, shape, a, b, 0)).toThrow(/gemm: c at byte 0/);
      // Sizes the buffers do not hold: a ShapeError by code.
      const big = { ...shape, m: 65536, n: 65536, k: 1 };
      expect(() => gemm(k, big, a, b, c, { a: 6, b: 12, c: 8 })).toThrow(/gemm: A should hold 65536x1 = 65536 elements but holds 6/);
      expect(codeOf(() => gemm(k, big, a, b, c, { a: 6, b: 12, c: 8 }))).toBe('ShapeError');
      // C overlapping A or B (partly or exactly): an ArgumentError by code.
      expect(() => gemm(k, shape, a, b, a, { a: 6, b: 12, c: 6 })).toThrow(/gemm: C overlaps A; the output must be a separate buffer/);
      expect(() => gemm(k, shape, a, b, b + 16)).toThrow(/gemm: C overlaps B/);
      expect(codeOf(() => gemm(k, shape, a, b, b + 16))).toBe('ArgumentError');
      // A and B may share memory (both are only read).
      expect(() => gemm(k, { ...shape, transB: true, n: 2 }, a, a, c, { a: 6, b: 6, c: 4 })).not.toThrow();
      // Sizes that are not integers below 2^32 are refused in the module, not wrapped modulo 2^32.
      expect(() => gemm(k, { ...shape, m: -1 }, a, b, c)).toThrow(/gemm: m = -1 is not an integer in \[0, 2\^32\)/);
      expect(() => gemm(k, { ...shape, m: 2.5 }, a, b, c)).toThrow(/gemm: m = 2.5 is not an integer in \[0, 2\^32\)/);
      expect(() => k.allocF32(Number.NaN)).toThrow(ArgumentError);
      expect(() => k.freeF32(2, 1)).toThrow(/freeF32: 2 is not a pointer from allocF32/);
      // The instance still works afterwards.
      expect(runCase(k, CASES[1]!, 9)).toBeLessThan(1e-5);
    } finally {
      k.freeF32(a, 6);
      k.freeF32(b, 12);
      k.freeF32(c, 8);
    }
  });

  it('keeps working after the memory grows', () => {
    const k = w();
    const shape: Case = { transA: false, transB: true, m: 21, n: 19, k: 35, alpha: 1.25, beta: 0.5 };
    const a = randomArray(shape.m * shape.k, 41);
    const b = randomArray(shape.k * shape.n, 42);
    const c0 = randomArray(shape.m * shape.n, 43);
    const aPtr = upload(k, a);
    const bPtr = upload(k, b);
    const cPtr = upload(k, c0);
    const before = k.memory().buffer;
    const bytesBefore = before.byteLength;
    // 32 MiB more than the memory holds now: forces memory.grow, detaching `before`.
    const bigLength = (bytesBefore + 32 * 1024 * 1024) / 4;
    const big = k.allocF32(bigLength);
    try {
      expect(k.memory().buffer.byteLength).toBeGreaterThan(bytesBefore);
      expect(before.byteLength).toBe(0); // the old view's buffer is detached
      // Old pointers stay valid; the data they hold survived the growth.
      gemm(k, shape, aPtr, bPtr, cPtr);
      expect(relativeError(download(k, cPtr, shape.m * shape.n), naiveSgemm(shape, a, b, c0))).toBeLessThan(1e-5);
      // The new, large buffer is usable as an operand too (last rows of it as C).
      const tail = big + (bigLength - shape.m * shape.n) * 4;
      new Float32Array(k.memory().buffer, tail, shape.m * shape.n).set(c0);
      gemm(k, shape, aPtr, bPtr, tail);
      expect(relativeError(download(k, tail, shape.m * shape.n), naiveSgemm(shape, a, b, c0))).toBeLessThan(1e-5);
      expect(runCase(k, CASES[5]!, 44)).toBeLessThan(1e-5);
    } finally {
      k.freeF32(big, bigLength);
      k.freeF32(aPtr, a.length);
      k.freeF32(bPtr, b.length);
      k.freeF32(cPtr, c0.length);
    }
  });
});

describe('missing build', () => {
  it('is reported as BackendUnavailableError naming the file and the build command', async () => {
    // A base URL with no build in it stands in for a clean checkout.
    const empty = new URL('./no-such-wasm-dir/', import.meta.url);
    const err = await loadWasmKernels({ variant: 'scalar', url: empty }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as Error).message).toMatch(/no-such-wasm-dir.*dlp_wasm\.js is missing/);
    expect((err as Error).message).toContain('pnpm --filter @dlp/core build:wasm');
  });
});
