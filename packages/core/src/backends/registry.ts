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

export function parseBackendName(name: string): BackendName {
  if ((BACKEND_NAMES as readonly string[]).includes(name)) return name as BackendName;
  throw new ArgumentError(`unknown backend '${name}': expected one of ${BACKEND_NAMES.join(', ')}`);
}

function factoryOf(name: BackendName): BackendFactory {
  const factory = factories.get(name);
  if (!factory) {
    const present = [...factories.keys()].join(', ') || 'none';
    throw new BackendUnavailableError(`the ${name} backend is not part of this build of @dlp/core (present: ${present})`);
  }
  return factory;
}

/** The backend called `name`, created on first use (Node loads synchronously). */
export function getBackend(name: BackendName | string): Backend {
  const backendName = parseBackendName(name);
  let backend = instances.get(backendName);
  if (!backend) {
    backend = factoryOf(backendName).create();
    instances.set(backendName, backend);
  }
  return backend;
}

/** Like getBackend, but loads asynchronously, as a browser page must for wasm. */
export async function loadBackend(name: BackendName | string, options: LoadBackendOptions = {}): Promise<Backend> {
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

let defaultName: BackendName | undefined;

/** Sets the backend new tensors use when none is named. */
export function setDefaultBackend(name: BackendName | string): void {
  defaultName = getBackend(name).name;
}

/**
 * The default backend: the one set with setDefaultBackend, else env DLP_BACKEND, else the
 * fastest that loads here (native, then wasm, then js).
 */
export function defaultBackend(): Backend {
  if (defaultName) return getBackend(defaultName);
  const fromEnv = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.DLP_BACKEND;
  if (fromEnv) return getBackend(fromEnv);
  for (const name of BACKEND_NAMES) {
    try {
      defaultName = getBackend(name).name;
      return getBackend(defaultName);
    } catch {
      // not available here: try the next one
    }
  }
  return getBackend('js');
}
