/**
 * Backends by name. Each backend registers itself (`registerBackend`, as tfjs's registry
 * does); the entry point decides which are present: the Node entry (index.ts) registers
 * native, wasm (loaded from the package's files) and js; the browser entry (browser.ts) wasm
 * (fetched) and js. Tensors, ops and layers only ever ask this registry, so none of them
 * imports a concrete backend. One instance per backend per process.
 */

import { ArgumentError, BackendUnavailableError } from '../errors.js';
import type { Backend, BackendName } from './backend.js';
import { BACKEND_NAMES } from './backend.js';

export interface LoadBackendOptions {
  /** Where the page serves a copy of packages/core/wasm/ (the folder holding simd/, scalar/ and threads/). */
  wasmUrl?: string | URL;
  /** wasm: which build (default: `threads` in a cross-origin isolated Worker, else `simd`, else `scalar`). */
  wasmVariant?: 'simd' | 'scalar' | 'threads';
  /** wasm: the `threads` build's pool size (default: navigator.hardwareConcurrency). */
  threads?: number;
}

/** How a backend comes to be: synchronously where it can (Node), asynchronously everywhere. */
export interface BackendFactory {
  /** The backend, or BackendUnavailableError saying why it cannot load here. */
  create(): Backend;
  /** The backend loaded asynchronously (a browser fetches its wasm); default: `create()`. */
  load?(options: LoadBackendOptions): Promise<Backend>;
}

const factories = new Map<BackendName, BackendFactory>();
const instances = new Map<BackendName, Backend>();

/** Makes a backend available under `name` (entry points call this; so may a custom backend's module). */
export function registerBackend(name: BackendName, factory: BackendFactory): void {
  factories.set(name, factory);
}

/** The name that asks for the fastest backend that loads here. */
export const AUTO = 'auto';

export function parseBackendName(name: string): BackendName {
  if ((BACKEND_NAMES as readonly string[]).includes(name)) return name as BackendName;
  throw new ArgumentError(`unknown backend '${name}': expected one of ${[AUTO, ...BACKEND_NAMES].join(', ')}`);
}

function factoryOf(name: BackendName): BackendFactory {
  const factory = factories.get(name);
  if (!factory) {
    const present = [...factories.keys()].join(', ') || 'none';
    throw new BackendUnavailableError(`the ${name} backend is not part of this build of @dlp/core (present: ${present})`);
  }
  return factory;
}

/**
 * The backend called `name`, created on first use (Node loads synchronously). `'auto'` is the
 * fastest that loads here: cuda, else native, else wasm, else js (see autoBackend).
 */
export function getBackend(name: BackendName | 'auto' | string): Backend {
  if (name === AUTO) return autoBackend();
  const backendName = parseBackendName(name);
  let backend = instances.get(backendName);
  if (!backend) {
    backend = factoryOf(backendName).create();
    instances.set(backendName, backend);
  }
  return backend;
}

/** Like getBackend, but loads asynchronously, as a browser page must for wasm. */
export async function loadBackend(name: BackendName | 'auto' | string, options: LoadBackendOptions = {}): Promise<Backend> {
  if (name === AUTO) {
    if (autoName) return getBackend(autoName);
    const passed: string[] = [];
    const silent: string[] = [];
    for (const candidate of autoCandidates()) {
      try {
        return chosen(await loadBackend(candidate, options), passed);
      } catch (error) {
        passed.push(...reasonOrNone(error, silent));
      }
    }
    throw noBackendLoads([...passed, ...silent]);
  }
  const backendName = parseBackendName(name);
  const existing = instances.get(backendName);
  if (existing) return existing;
  const factory = factoryOf(backendName);
  const backend = factory.load ? await factory.load(options) : factory.create();
  const raced = instances.get(backendName);
  if (raced) return raced;
  instances.set(backendName, backend);
  return backend;
}

let autoName: BackendName | undefined;

/** Where `auto` says why it passed over a faster backend; default: one line on the console. */
let reportFallback: (line: string) => void = (line) => console.warn(line);

/** Sends `auto`'s fallback line elsewhere (the CLI writes it to stderr itself; tests collect it). */
export function onBackendFallback(report: (line: string) => void): void {
  reportFallback = report;
}

/**
 * The fastest backend that loads here, in BACKEND_NAMES order (cuda, native, wasm, js), decided
 * once per process. Passing over one that cannot load (no addon for this platform, say) is
 * reported in one line naming why, so a slower run never comes as a surprise; one that is
 * simply not set up here (`notSetUp`: no CUDA on this machine) is passed over silently.
 */
export function autoBackend(): Backend {
  if (autoName) return getBackend(autoName);
  const passed: string[] = [];
  const silent: string[] = [];
  for (const candidate of autoCandidates()) {
    try {
      return chosen(getBackend(candidate), passed);
    } catch (error) {
      passed.push(...reasonOrNone(error, silent));
    }
  }
  throw noBackendLoads([...passed, ...silent]);
}

/**
 * A backend's load failure, as the reasons `auto` reports: none when it is simply not set up
 * here (its reason goes to `silent`, named only if nothing loads at all). Anything but
 * BackendUnavailableError is a bug and goes on up.
 */
function reasonOrNone(error: unknown, silent: string[]): string[] {
  if (!(error instanceof BackendUnavailableError)) throw error;
  if (!error.notSetUp) return [error.message];
  silent.push(error.message);
  return [];
}

/** The backends `auto` tries, fastest first: those this entry point registered. */
function autoCandidates(): BackendName[] {
  return BACKEND_NAMES.filter((name) => factories.has(name));
}

/** Remembers `auto`'s choice and reports the faster ones it passed over. */
function chosen(backend: Backend, passed: string[]): Backend {
  autoName = backend.name;
  if (passed.length > 0) reportFallback(`dlp: using the ${backend.name} backend: ${passed.join('; ')}`);
  return backend;
}

function noBackendLoads(passed: string[]): BackendUnavailableError {
  return new BackendUnavailableError(`no backend loads here: ${passed.join('; ')}`);
}

let defaultName: BackendName | undefined;

/** Sets the backend new tensors use when none is named (`'auto'`: the fastest that loads). */
export function setDefaultBackend(name: BackendName | 'auto' | string): void {
  defaultName = getBackend(name).name;
}

/**
 * The default backend: the one set with setDefaultBackend, else env DLP_BACKEND, else `auto`
 * (the fastest that loads here).
 */
export function defaultBackend(): Backend {
  if (defaultName) return getBackend(defaultName);
  const fromEnv = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.DLP_BACKEND;
  if (fromEnv) return getBackend(fromEnv);
  return autoBackend();
}
