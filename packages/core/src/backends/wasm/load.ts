/**
 * Loads dlp's WebAssembly kernels (crates/wasm, built by `scripts/build-wasm.mjs` into
 * `packages/core/wasm/<variant>/`): wasm-bindgen's `--target web` glue plus its `.wasm`. This
 * module runs in browsers (no Node code); `load-node.ts` adds loading from the package's files.
 *
 * Three variants: `simd` (compiled with simd128), `scalar`, and `threads` (simd128 + atomics on
 * a shared memory, the kernels' rayon pool on Web Workers; wasm-bindgen-rayon). The default is
 * `threads` in a cross-origin isolated browser Worker (SharedArrayBuffer given, SIMD
 * validated), else `simd` where the engine validates SIMD code, else `scalar`;
 * `DLP_WASM_SIMD=0` in Node's environment forces `scalar`. Caveat: the `scalar` build still
 * contains the `gemm` crate's simd128 micro-kernels (picked at run time), so an engine without
 * SIMD rejects it too.
 *
 * The `threads` build only runs in a Worker: a kernel waits for the pool's threads with
 * `Atomics.wait` (memory.atomic.wait32), which a page's main thread may not call. So on a main
 * thread the default is `simd`, and asking for `threads` there is a BackendUnavailableError;
 * a page that wants threads trains in a Worker (as the web demo does). Node never gets it (no
 * Web Workers): it loads `simd`/`scalar` as ever.
 *
 * Tensors live in the module's memory: `allocF32` returns a byte pointer, data is read and
 * written through `new Float32Array(memory().buffer, ptr, length)`, and kernels take the
 * storages ({ ptr, length }) themselves, so a call copies nothing. Any allocation may grow the
 * memory, which detaches earlier `ArrayBuffer`s: re-create views after allocating. (The
 * threads build's memory is shared: growing it detaches nothing, but views keep the length
 * they had, and only a fresh `memory().buffer` spans the grown memory; re-creating views after
 * allocating is right for both.)
 */
import { ArgumentError, BackendUnavailableError } from '../../errors.js';
import type { BindingMismatches } from '../rust-binding.js';
import type * as Glue from '../../../wasm/simd/dlp_wasm.js';
import type { WasmStorage } from './wasm-backend.js';

export type WasmVariant = 'simd' | 'scalar' | 'threads';

export const WASM_VARIANTS: readonly WasmVariant[] = ['simd', 'scalar', 'threads'];

/** The generated glue's exports: one function per kernel of the contract, plus memory management. */
export type WasmGlue = typeof Glue;

/**
 * The threads build's glue: the same, plus wasm-bindgen-rayon's pool start (typed here rather
 * than from wasm/threads/dlp_wasm.d.ts, so that type-checking needs only the simd build).
 */
type ThreadsGlue = WasmGlue & { initThreadPool(threads: number): Promise<unknown> };

/** How long the pool's Workers may take to start before loading gives up (a Worker that fails to load never says so). */
const POOL_START_TIMEOUT_MS = 30_000;

/** Fails to compile, naming the kernels, when the module's arguments differ from the core's. */
export const glueAgrees: [BindingMismatches<WasmGlue, WasmStorage>] extends [never] ? true : BindingMismatches<WasmGlue, WasmStorage> = true;

/** A loaded build: its glue, and the memory its pointers index. */
export interface WasmKernels {
  readonly variant: WasmVariant;
  readonly glue: WasmGlue;
  /** Threads its kernels may use: the pool's size in the `threads` build, else 1. */
  readonly threads: number;
  /** The module's memory; every pointer is a byte offset into it. */
  memory(): WebAssembly.Memory;
  /** Allocates `length` zeroed f32 and returns the byte pointer. */
  allocF32(length: number): number;
  /** Frees a buffer from `allocF32`, with the length it was allocated with. */
  freeF32(ptr: number, length: number): void;
}

export interface LoadWasmOptions {
  /**
   * Which build to load; default: `threads` in a cross-origin isolated Worker, else `simd` when
   * supported (and DLP_WASM_SIMD is not 0), else `scalar`.
   */
  variant?: WasmVariant;
  /**
   * Base URL of the folder holding `simd/`, `scalar/` and `threads/` (e.g. `/wasm/` where a web
   * app serves a copy of packages/core/wasm). Default: this package's own `wasm/` folder.
   */
  url?: string | URL;
  /**
   * The `threads` build's pool size (Web Workers); default `navigator.hardwareConcurrency`.
   * Fixed at the first load: the glue holds one instance, whose pool cannot be rebuilt.
   */
  threads?: number;
}

/** The `.wasm` bytes to instantiate instead of fetching `url` (undefined: fetch it). */
export type WasmBytes = (variant: WasmVariant, url: URL) => BufferSource | undefined;

export const GLUE_FILE = 'dlp_wasm.js';
export const WASM_FILE = 'dlp_wasm_bg.wasm';
export const BUILD_COMMAND = 'pnpm --filter @dlp/core build:wasm';

/**
 * The smallest module using a v128 op: `(func (result v128) i32.const 0 i8x16.splat
 * i8x16.popcnt)`. Engines without SIMD reject it at validation.
 */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

let simdSupported: boolean | undefined;

/** Whether this engine supports WebAssembly SIMD (simd128). */
export function wasmSimdSupported(): boolean {
  if (simdSupported === undefined) {
    try {
      simdSupported = typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
    } catch {
      simdSupported = false;
    }
  }
  return simdSupported;
}

/**
 * One instance per glue file per process (the glue keeps its instance in a module global), keyed
 * by the glue's URL: sync and async loads of the same build share it.
 */
const loaded = new Map<string, WasmKernels>();
const loading = new Map<string, Promise<WasmKernels>>();

/** The build already loaded from `glueUrl`, if any. */
export function loadedFrom(glueUrl: string): WasmKernels | undefined {
  return loaded.get(glueUrl);
}

/**
 * Loads a variant by URL (what a browser page does): imports the glue and lets it fetch the
 * `.wasm`, or instantiates `wasmBytes` when given (Node, which cannot fetch file: URLs).
 */
export async function loadWasmKernels(options: LoadWasmOptions = {}, wasmBytes?: WasmBytes): Promise<WasmKernels> {
  const variant = chooseVariant(options.variant);
  const poolSize = variant === 'threads' ? threadCount(options.threads) : 1;
  const base = baseUrl(options.url);
  const glueUrl = new URL(`${variant}/${GLUE_FILE}`, base);
  const cached = loaded.get(glueUrl.href);
  if (cached) return cached;
  let pending = loading.get(glueUrl.href);
  if (!pending) {
    pending = instantiate(variant, base, wasmBytes, poolSize).finally(() => loading.delete(glueUrl.href));
    loading.set(glueUrl.href, pending);
  }
  return pending;
}

async function instantiate(
  variant: WasmVariant,
  base: URL,
  wasmBytes: WasmBytes | undefined,
  poolSize: number,
): Promise<WasmKernels> {
  const glueUrl = new URL(`${variant}/${GLUE_FILE}`, base);
  const wasmUrl = new URL(`${variant}/${WASM_FILE}`, base);
  const input = wasmBytes?.(variant, wasmUrl) ?? wasmUrl;
  let glue: WasmGlue;
  try {
    glue = (await import(/* @vite-ignore */ glueUrl.href)) as WasmGlue;
  } catch (err) {
    throw new BackendUnavailableError(
      `wasm backend: cannot load ${glueUrl.href} (${errorMessage(err)}); ` +
        `build it with \`${BUILD_COMMAND}\` and serve packages/core/wasm/ at ${base.href}`,
    );
  }
  try {
    await glue.default({ module_or_path: input });
  } catch (err) {
    throw new BackendUnavailableError(
      `wasm backend: cannot instantiate ${wasmUrl.href} (${errorMessage(err)}); rebuild it with \`${BUILD_COMMAND}\``,
    );
  }
  // Before anything else runs a kernel: rayon would otherwise make its global pool of one
  // thread, and the global pool cannot be built twice.
  if (variant === 'threads') await startPool(glue as ThreadsGlue, poolSize, glueUrl);
  return remember(glueUrl.href, wrapGlue(variant, glue));
}

/** Starts the threads build's pool: `threads` Workers, each instantiating the module on its shared memory. */
async function startPool(glue: ThreadsGlue, threads: number, glueUrl: URL): Promise<void> {
  if (typeof glue.initThreadPool !== 'function') {
    throw new BackendUnavailableError(
      `wasm backend: ${glueUrl.href} has no initThreadPool (not a threads build); rebuild it with \`${BUILD_COMMAND} --force\``,
    );
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`its ${threads} Workers did not start within ${POOL_START_TIMEOUT_MS / 1000} s`)),
      POOL_START_TIMEOUT_MS,
    );
  });
  try {
    await Promise.race([glue.initThreadPool(threads), timeout]);
  } catch (err) {
    throw new BackendUnavailableError(
      `wasm backend: cannot start the threads build's pool of ${threads} (${errorMessage(err)}); ` +
        `the page must serve ${new URL('snippets/', glueUrl).href} and be cross-origin isolated (COOP/COEP headers)`,
    );
  } finally {
    clearTimeout(timer);
  }
}

/** Keeps the first build loaded from `key` (a second load of it returns the first). */
export function remember(key: string, kernels: WasmKernels): WasmKernels {
  const existing = loaded.get(key);
  if (existing) return existing;
  loaded.set(key, kernels);
  return kernels;
}

export function chooseVariant(requested: WasmVariant | undefined): WasmVariant {
  if (requested !== undefined) {
    if (!WASM_VARIANTS.includes(requested)) {
      throw new ArgumentError(`wasm backend: variant must be one of ${WASM_VARIANTS.map((v) => `'${v}'`).join(', ')}, got ${String(requested)}`);
    }
    if (requested !== 'scalar' && !wasmSimdSupported()) {
      throw new BackendUnavailableError(`wasm backend: variant '${requested}' needs WebAssembly SIMD, which this engine lacks; use 'scalar'`);
    }
    if (requested === 'threads') {
      const why = threadsUnavailable();
      if (why !== undefined) throw new BackendUnavailableError(`wasm backend: variant 'threads' ${why}; use 'simd'`);
    }
    return requested;
  }
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  if (env?.DLP_WASM_SIMD === '0') return 'scalar';
  if (!wasmSimdSupported()) return 'scalar';
  return threadsUnavailable() === undefined ? 'threads' : 'simd';
}

/** Why the threads build cannot run here, or undefined when it can. */
export function threadsUnavailable(): string | undefined {
  const scope = globalThis as { crossOriginIsolated?: boolean; WorkerGlobalScope?: abstract new () => unknown };
  if (typeof scope.WorkerGlobalScope !== 'function' || !(globalThis instanceof scope.WorkerGlobalScope)) {
    // Also Node, which has neither Web Workers nor crossOriginIsolated.
    return (
      'runs in a Web Worker only (its kernels wait for the pool with Atomics.wait, which a ' +
      "page's main thread may not call): load it in a Worker"
    );
  }
  if (scope.crossOriginIsolated !== true || typeof SharedArrayBuffer !== 'function') {
    return (
      'needs a cross-origin isolated page (SharedArrayBuffer): serve it with the headers ' +
      'Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp'
    );
  }
  return undefined;
}

/** The pool size: `requested`, else the machine's logical cores (navigator.hardwareConcurrency). */
function threadCount(requested: number | undefined): number {
  if (requested !== undefined) {
    if (!Number.isInteger(requested) || requested < 1 || requested > 256) {
      throw new ArgumentError(`wasm backend: threads must be an integer from 1 to 256, got ${requested}`);
    }
    return requested;
  }
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return Number.isInteger(cores) && cores! >= 1 ? cores! : 1;
}

/** The loaded glue, after checking it is the build it claims to be. */
export function wrapGlue(variant: WasmVariant, glue: WasmGlue): WasmKernels {
  if (glue.simd128() !== (variant !== 'scalar')) {
    throw new BackendUnavailableError(
      `wasm backend: the '${variant}' build reports simd128=${String(glue.simd128())}; rebuild it with \`${BUILD_COMMAND} --force\``,
    );
  }
  return {
    variant,
    glue,
    threads: glue.availableThreads(),
    memory: () => glue.wasmMemory() as WebAssembly.Memory,
    allocF32: (length) => glue.allocF32(wasmSize('allocF32', 'length', length)),
    freeF32: (ptr, length) => glue.freeF32(wasmSize('freeF32', 'ptr', ptr), wasmSize('freeF32', 'length', length)),
  };
}

/** A wasm32 usize (wasm-bindgen would silently wrap anything else). */
function wasmSize(fn: string, name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
    throw new ArgumentError(`${fn}: ${name} must be an integer in [0, 2^32), got ${value}`);
  }
  return value;
}

/** Where `simd/`, `scalar/` and `threads/` are: `url`, else beside this module's package (bundled or not). */
function baseUrl(url: string | URL | undefined): URL {
  if (url !== undefined) {
    const href = String(url);
    const withSlash = href.endsWith('/') ? href : `${href}/`;
    const page = typeof location === 'object' ? location.href : undefined;
    return page === undefined ? new URL(withSlash) : new URL(withSlash, page);
  }
  // The package's wasm/ beside dist/ (bundled) or three levels above src/backends/wasm/.
  const here = import.meta.url;
  return new URL(here.includes('/src/backends/wasm/') ? '../../../wasm/' : '../wasm/', here);
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
