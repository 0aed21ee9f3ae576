/**
 * Picking a backend by name. One instance per backend per process; a backend that cannot load
 * here throws BackendUnavailableError saying why (addon not built, wasm build missing, ...).
 */

import { ArgumentError } from '../errors.js';
import type { Backend, BackendName } from './backend.js';
import { BACKEND_NAMES } from './backend.js';
import { JsBackend } from './js/js-backend.js';
import { NativeBackend } from './native/native-backend.js';
import { loadWasmKernels, loadWasmKernelsSync } from './wasm/load.js';
import { WasmBackend } from './wasm/wasm-backend.js';

const instances = new Map<BackendName, Backend>();

export function parseBackendName(name: string): BackendName {
  if ((BACKEND_NAMES as readonly string[]).includes(name)) return name as BackendName;
  throw new ArgumentError(`unknown backend '${name}': expected one of ${BACKEND_NAMES.join(', ')}`);
}

/** The backend called `name`, created on first use (Node: loads synchronously). */
export function getBackend(name: BackendName | string): Backend {
  const backendName = parseBackendName(name);
  let backend = instances.get(backendName);
  if (!backend) {
    backend = create(backendName);
    instances.set(backendName, backend);
  }
  return backend;
}

export interface LoadBackendOptions {
  /** Where the page serves a copy of packages/core/wasm/ (the folder holding simd/ and scalar/). */
  wasmUrl?: string | URL;
}

/** Like getBackend, but loads wasm asynchronously, as a browser page must. */
export async function loadBackend(name: BackendName | string, options: LoadBackendOptions = {}): Promise<Backend> {
  const backendName = parseBackendName(name);
  if (backendName === 'wasm' && !instances.has('wasm')) {
    const kernels = await loadWasmKernels(options.wasmUrl === undefined ? {} : { url: options.wasmUrl });
    instances.set('wasm', new WasmBackend(kernels));
  }
  return getBackend(backendName);
}

function create(name: BackendName): Backend {
  switch (name) {
    case 'js':
      return new JsBackend();
    case 'native':
      return new NativeBackend();
    case 'wasm':
      return new WasmBackend(loadWasmKernelsSync());
  }
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
  const fromEnv = typeof process !== 'undefined' ? process.env.DLP_BACKEND : undefined;
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
