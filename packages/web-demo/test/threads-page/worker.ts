/**
 * The threads test's Worker (bundled at test time by harness.mjs, with @dlp/core/browser
 * taken from core's sources): loads the wasm backend as a page would, then on request checks
 * its kernels against the TypeScript reference (the js backend) and against its own
 * single-thread run, checks views across memory growth, or times GEMMs. Runs in a Worker
 * because the threaded build may not block a page's main thread.
 */
import { BackendUnavailableError, getBackend, getKernel, loadBackend, Rng, type Backend, type Storage } from '@dlp/core/browser';

export type Request =
  | { kind: 'check'; variant?: 'simd' | 'scalar' | 'threads'; threads?: number; gemm: readonly [number, number, number] }
  | { kind: 'load'; variant?: 'simd' | 'scalar' | 'threads'; threads?: number }
  | { kind: 'bench'; variant: 'simd' | 'threads'; threads?: number; shapes: readonly (readonly [number, number, number])[]; repeats: number };

export interface Loaded {
  describe: string;
  threads: number;
  crossOriginIsolated: boolean;
  sharedMemory: boolean;
}

export interface CheckResult extends Loaded {
  /** Max relative errors: the backend against the TS reference, and its N-thread against its 1-thread run. */
  gemm: { vsReference: number; vsOneThread: number };
  batchNorm: { vsReference: number; vsOneThread: number };
  adam: { vsReference: number; vsOneThread: number };
  growth: { grew: boolean; oldBufferKeptLength: boolean; earlierTensorIntact: boolean; newTensorWritable: boolean };
}

export interface BenchResult extends Loaded {
  /** Per shape [m, k, n]: the median GFLOPS of `repeats` runs, and every run's. */
  gemm: { shape: readonly [number, number, number]; medianGflops: number; gflops: number[] }[];
}

const scope = globalThis as unknown as {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (e: { data: Request }) => void): void;
  crossOriginIsolated?: boolean;
};

async function load(request: { variant?: 'simd' | 'scalar' | 'threads'; threads?: number }): Promise<Backend> {
  const options = { wasmUrl: '/wasm/', ...(request.variant && { wasmVariant: request.variant }), ...(request.threads && { threads: request.threads }) };
  return loadBackend('wasm', options);
}

function loaded(backend: Backend): Loaded {
  const memory = (backend as unknown as { kernels: { memory(): WebAssembly.Memory } }).kernels.memory();
  return {
    describe: backend.describe(),
    threads: backend.threads,
    crossOriginIsolated: scope.crossOriginIsolated === true,
    sharedMemory: typeof SharedArrayBuffer === 'function' && memory.buffer instanceof SharedArrayBuffer,
  };
}

function randomArray(rng: Rng, length: number): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = rng.nextFloat() * 2 - 1;
  return out;
}

/** max |got − want| / max |want|. */
function relativeError(got: Float32Array, want: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(got[i]! - want[i]!));
    scale = Math.max(scale, Math.abs(want[i]!));
  }
  return scale === 0 ? diff : diff / scale;
}

/**
 * Runs `run` with its inputs uploaded to `backend` and returns the named outputs read back.
 * Inputs are re-uploaded each time, so in-place kernels (Adam) start from the same state.
 */
function onBackend(
  backend: Backend,
  inputs: Record<string, Float32Array>,
  outputs: readonly string[],
  run: (s: Record<string, Storage>) => void,
): Float32Array[] {
  const s: Record<string, Storage> = {};
  for (const [name, data] of Object.entries(inputs)) s[name] = backend.upload(data);
  run(s);
  const result = outputs.map((name) => Float32Array.from(backend.view(s[name]!) as Float32Array));
  for (const storage of Object.values(s)) backend.release(storage);
  return result;
}

/** The kernel run on the backend with all its threads, with one thread, and on the js backend. */
function compare(
  backend: Backend,
  inputs: Record<string, Float32Array>,
  outputs: readonly string[],
  run: (b: Backend, s: Record<string, Storage>) => void,
): { vsReference: number; vsOneThread: number } {
  const js = getBackend('js');
  const threads = backend.threads;
  const many = onBackend(backend, inputs, outputs, (s) => run(backend, s));
  backend.setThreads(1);
  const one = onBackend(backend, inputs, outputs, (s) => run(backend, s));
  backend.setThreads(threads);
  const reference = onBackend(js, inputs, outputs, (s) => run(js, s));
  return {
    vsReference: Math.max(...many.map((m, i) => relativeError(m, reference[i]!))),
    vsOneThread: Math.max(...many.map((m, i) => relativeError(m, one[i]!))),
  };
}

function check(backend: Backend, [m, k, n]: readonly [number, number, number]): CheckResult {
  const rng = new Rng(13);
  const gemm = compare(
    backend,
    { a: randomArray(rng, m * k), b: randomArray(rng, k * n), c: randomArray(rng, m * n) },
    ['c'],
    (b, s) => getKernel('gemm', b.name)(b, { transA: false, transB: false, m, n, k, alpha: 1, beta: 0.5, a: s.a!, b: s.b!, c: s.c! }),
  );
  // Large enough for the kernels to split their work: BatchNorm into channel groups of at least
  // 16 Ki values, Adam into parts of at least 32 Ki.
  const [outer, channels, inner] = [32, 16, 256];
  const batchNorm = compare(
    backend,
    {
      x: randomArray(rng, outer * channels * inner),
      gamma: randomArray(rng, channels),
      beta: randomArray(rng, channels),
      out: new Float32Array(outer * channels * inner),
      mean: new Float32Array(channels),
      invStd: new Float32Array(channels),
      runningMean: randomArray(rng, channels),
      runningVar: Float32Array.from(randomArray(rng, channels), (v) => 1 + Math.abs(v)),
    },
    ['out', 'mean', 'invStd', 'runningMean', 'runningVar'],
    (b, s) =>
      getKernel('batchNormTrain', b.name)(b, {
        x: s.x!, outer, channels, inner, gamma: s.gamma!, beta: s.beta!, eps: 1e-5, out: s.out!,
        mean: s.mean!, invStd: s.invStd!, runningMean: s.runningMean!, runningVar: s.runningVar!, momentum: 0.1,
      }),
  );
  const size = 1 << 18;
  const adam = compare(
    backend,
    {
      param: randomArray(rng, size),
      grad: randomArray(rng, size),
      expAvg: Float32Array.from(randomArray(rng, size), (v) => v * 0.1),
      expAvgSq: Float32Array.from(randomArray(rng, size), (v) => v * v * 0.01),
    },
    ['param', 'expAvg', 'expAvgSq'],
    (b, s) =>
      getKernel('adamStep', b.name)(b, {
        param: s.param!, grad: s.grad!, expAvg: s.expAvg!, expAvgSq: s.expAvgSq!,
        lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, step: 3,
      }),
  );
  return { ...loaded(backend), gemm, batchNorm, adam, growth: growth(backend) };
}

/**
 * Grows the memory under a live tensor: the backend's views must see the earlier tensor intact
 * and reach the new one beyond the old end. (A shared memory's old SharedArrayBuffer keeps its
 * length rather than being detached, so a stale view would silently be too short.)
 */
function growth(backend: Backend): CheckResult['growth'] {
  const memory = (backend as unknown as { kernels: { memory(): WebAssembly.Memory } }).kernels.memory();
  const values = Float32Array.from({ length: 1000 }, (_, i) => i * 0.5);
  const early = backend.upload(values);
  const before = memory.buffer;
  const beforeLength = before.byteLength;
  const bigLength = Math.ceil(beforeLength / 4) + (16 << 20); // past the current end: the memory must grow
  const big = backend.allocate(bigLength, 'float32');
  const after = memory.buffer;
  const view = backend.view(big);
  view[bigLength - 1] = 42;
  const result = {
    grew: after.byteLength > beforeLength,
    // Not detached (a plain ArrayBuffer would now be, with byteLength 0), and still the old size.
    oldBufferKeptLength: (before as ArrayBufferLike).byteLength === beforeLength,
    earlierTensorIntact: relativeError(backend.view(early) as Float32Array, values) === 0,
    newTensorWritable: view.length === bigLength && (backend.view(big) as Float32Array)[bigLength - 1] === 42,
  };
  backend.release(big);
  backend.release(early);
  return result;
}

function bench(backend: Backend, shapes: readonly (readonly [number, number, number])[], repeats: number): BenchResult {
  const rng = new Rng(7);
  const gemmKernel = getKernel('gemm', backend.name);
  const gemm = shapes.map((shape) => {
    const [m, k, n] = shape;
    const a = backend.upload(randomArray(rng, m * k));
    const b = backend.upload(randomArray(rng, k * n));
    const c = backend.allocate(m * n, 'float32');
    const args = { transA: false, transB: false, m, n, k, alpha: 1, beta: 0, a, b, c };
    gemmKernel(backend, args); // warm-up
    const gflops: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now();
      gemmKernel(backend, args);
      gflops.push((2 * m * n * k) / ((performance.now() - t0) * 1e6));
    }
    for (const s of [a, b, c]) backend.release(s);
    const sorted = [...gflops].sort((x, y) => x - y);
    return { shape, medianGflops: sorted[sorted.length >> 1]!, gflops };
  });
  return { ...loaded(backend), gemm };
}

scope.addEventListener('message', ({ data }) => {
  void (async () => {
    try {
      const backend = await load(data);
      if (data.kind === 'check') scope.postMessage({ ok: true, result: check(backend, data.gemm) });
      else if (data.kind === 'bench') scope.postMessage({ ok: true, result: bench(backend, data.shapes, data.repeats) });
      else scope.postMessage({ ok: true, result: loaded(backend) });
    } catch (err) {
      const e = err as Error;
      scope.postMessage({ ok: false, name: e?.constructor?.name, isUnavailable: err instanceof BackendUnavailableError, message: String(e?.message ?? err) });
    }
  })();
});
