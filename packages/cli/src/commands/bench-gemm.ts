/**
 * `dlp bench gemm`: GFLOPS of the gemm kernel on the project's shapes, per backend, as a table
 * for people or JSON lines (`--json`) for scripts such as bench/gemm-side-by-side.mjs.
 * Times the kernel alone on preallocated operands (median after a warm-up).
 */

import { AllocationError, BACKEND_NAMES, BackendUnavailableError, getBackend, getKernel, Rng, type Backend } from '@dlp/core';
import { noPositionals, parseFlags, positiveIntFlag, stringFlag, type FlagSpec } from '../args.js';
import { UsageError } from '../errors.js';
import { timeMedian } from '../timing.js';

export const BENCH_GEMM_HELP = `Usage: dlp bench gemm [--backend native|wasm|js|all] [--threads N] [--shapes MxKxN,...] [--json]

Times C = A·B (float32, A is M×K, B is K×N) on each shape and prints GFLOPS:
the median of repeated runs after a warm-up, kernel only (operands preallocated).

  --backend NAME   native (default), wasm, js, or all: each backend that loads here in turn
  --threads N      worker threads for native (default: all cores); wasm and js use 1
  --shapes LIST    comma-separated MxKxN (default: 200x3072x100,128x3072x1024,128x1024x512,
                   1024x1024x1024,32768x576x64)
  --json           one JSON line per shape: {"backend","m","k","n","threads","gflops"}
`;

/** (M, K, N): the MLP's layers, a 1024³ square, and the ConvNet's im2col GEMM. */
export const DEFAULT_GEMM_SHAPES: ReadonlyArray<readonly [number, number, number]> = [
  [200, 3072, 100],
  [128, 3072, 1024],
  [128, 1024, 512],
  [1024, 1024, 1024],
  [32768, 576, 64],
];

const flags: FlagSpec = {
  backend: { type: 'string' },
  threads: { type: 'string' },
  shapes: { type: 'string' },
  json: { type: 'boolean' },
};

export interface GemmResult {
  backend: string;
  m: number;
  k: number;
  n: number;
  threads: number;
  gflops: number;
}

export function parseShapes(raw: string): Array<[number, number, number]> {
  return raw.split(',').map((item) => {
    const parts = item.trim().split('x').map((p) => Number(p));
    if (parts.length !== 3 || parts.some((p) => !Number.isSafeInteger(p) || p < 1)) {
      throw new UsageError(`--shapes: '${item}' is not MxKxN with positive integers (e.g. 200x3072x100)`);
    }
    return parts as [number, number, number];
  });
}

/**
 * Makes a shape's operands, turning "too large to allocate" (the engine's RangeError for a typed
 * array past its limit, a backend's AllocationError) into one AllocationError naming the shape:
 * a shape that does not fit is bad input, not a bug (exit 2, one line).
 */
function allocateOperands<T>(backend: Backend, [m, k, n]: readonly [number, number, number], make: () => T): T {
  const largest = Math.max(m * k, k * n, m * n);
  const size = `${m}x${k}x${n} needs up to ${largest.toExponential(2)} floats (${(largest * 4 / 2 ** 30).toFixed(1)} GiB) per operand`;
  if (!Number.isSafeInteger(m * k) || !Number.isSafeInteger(k * n) || !Number.isSafeInteger(m * n)) {
    throw new AllocationError(`bench gemm: shape ${size}, more than can be counted exactly`);
  }
  try {
    return make();
  } catch (error) {
    if (error instanceof RangeError || error instanceof AllocationError) {
      throw new AllocationError(`bench gemm: shape ${size}, which ${backend.name} cannot allocate (${error.message.split('\n')[0]})`, { cause: error });
    }
    throw error;
  }
}

/** Times one shape on one backend. */
export function benchGemmShape(backend: Backend, [m, k, n]: readonly [number, number, number]): GemmResult {
  const rng = new Rng(m * 1_000_003 + k * 1009 + n);
  const fill = (length: number) => {
    const data = new Float32Array(length);
    for (let i = 0; i < length; i++) data[i] = rng.nextFloat() * 2 - 1;
    return backend.upload(data);
  };
  const [a, b, c] = allocateOperands(backend, [m, k, n], () => [fill(m * k), fill(k * n), backend.allocate(m * n, 'float32')]);
  const gemm = getKernel('gemm', backend.name);
  const run = () => gemm(backend, { transA: false, transB: false, m, n, k, alpha: 1, beta: 0, a, b, c });
  const flops = 2 * m * n * k;
  // Slow backends get fewer runs: at least 3, else as many as fit in ~1 s.
  const timing = timeMedian(run, { budgetMs: 1000, minRuns: 3, maxRuns: 200 });
  for (const s of [a, b, c]) backend.release(s);
  return { backend: backend.name, m, k, n, threads: backend.threads, gflops: flops / (timing.medianMs * 1e6) };
}

/** Whether backend `name` loads here; if not, one line on stderr says why it is left out. */
function loads(name: string): boolean {
  try {
    getBackend(name);
    return true;
  } catch (error) {
    if (!(error instanceof BackendUnavailableError)) throw error;
    process.stderr.write(`bench gemm: leaving out ${name}: ${error.message}\n`);
    return false;
  }
}

export function runBenchGemm(argv: string[]): number {
  const parsed = parseFlags(argv, flags, 'bench gemm');
  noPositionals(parsed, 'bench gemm');
  const backendFlag = stringFlag(parsed, 'backend') ?? 'native';
  // `all`: every backend that loads here; the others are named on stderr with the reason.
  const names = backendFlag === 'all' ? BACKEND_NAMES.filter((name) => loads(name)) : [backendFlag];
  const threads = positiveIntFlag(parsed, 'threads');
  const shapesFlag = stringFlag(parsed, 'shapes');
  const shapes = shapesFlag === undefined ? DEFAULT_GEMM_SHAPES : parseShapes(shapesFlag);
  const json = parsed.values.json === true;

  for (const name of names) {
    const backend = getBackend(name);
    if (threads !== undefined) backend.setThreads(threads);
    if (!json) {
      process.stdout.write(`${backend.describe()}\n${'M x K x N'.padStart(20)}  ${'GFLOPS'.padStart(8)}\n`);
    }
    for (const shape of shapes) {
      const result = benchGemmShape(backend, shape);
      if (json) {
        process.stdout.write(`${JSON.stringify({ ...result, gflops: round(result.gflops) })}\n`);
      } else {
        process.stdout.write(`${shape.join(' x ').padStart(20)}  ${result.gflops.toFixed(1).padStart(8)}\n`);
      }
    }
  }
  return 0;
}

const round = (x: number) => Math.round(x * 100) / 100;
