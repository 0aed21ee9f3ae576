/**
 * Loading the wasm kernels in Node, from this package's `wasm/` folder: synchronously (what
 * `getBackend('wasm')` does) or asynchronously. Node-only; the browser entry uses load.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { BackendUnavailableError } from '../../errors.js';
import { corePackageRoot } from '../../node-builtins.js';
import {
  BUILD_COMMAND,
  chooseVariant,
  errorMessage,
  GLUE_FILE,
  loadedFrom,
  loadWasmKernels as loadByUrl,
  remember,
  WASM_FILE,
  wrapGlue,
  type LoadWasmOptions,
  type WasmGlue,
  type WasmKernels,
  type WasmVariant,
} from './load.js';

export { wasmSimdSupported, type LoadWasmOptions, type WasmKernels, type WasmVariant } from './load.js';

/** Loads a variant synchronously from this package's wasm/ folder. */
export function loadWasmKernelsSync(options: Omit<LoadWasmOptions, 'url'> = {}): WasmKernels {
  const variant = chooseVariant(options.variant);
  const dir = join(corePackageRoot(), 'wasm', variant);
  const gluePath = join(dir, GLUE_FILE);
  const key = pathToFileURL(gluePath).href;
  const cached = loadedFrom(key);
  if (cached) return cached;
  const wasmPath = join(dir, WASM_FILE);
  requireBuilt(variant, [gluePath, wasmPath]);
  let glue: WasmGlue;
  try {
    // An ES module loaded synchronously: require(esm), on by default since Node 20.19 / 22.12.
    glue = createRequire(gluePath)(gluePath) as WasmGlue;
  } catch (err) {
    throw new BackendUnavailableError(
      `wasm backend: cannot load ${gluePath} synchronously (${errorMessage(err)}); ` +
        'it needs Node >= 20.19 (require of ES modules), or use `await loadWasmKernels()`',
    );
  }
  try {
    glue.initSync({ module: readFileSync(wasmPath) });
  } catch (err) {
    throw new BackendUnavailableError(`wasm backend: cannot instantiate ${wasmPath} (${errorMessage(err)}); rebuild it with \`${BUILD_COMMAND}\``);
  }
  return remember(key, wrapGlue(variant, glue));
}

/** Loads a variant asynchronously: from this package's files, or from `url` (file: URLs read from disk). */
export async function loadWasmKernels(options: LoadWasmOptions = {}): Promise<WasmKernels> {
  const url = options.url ?? pathToFileURL(join(corePackageRoot(), 'wasm') + '/');
  return loadByUrl({ ...options, url }, (variant, wasmUrl) => {
    if (wasmUrl.protocol !== 'file:') return undefined;
    const glue = fileURLToPath(new URL(GLUE_FILE, wasmUrl));
    const wasm = fileURLToPath(wasmUrl);
    requireBuilt(variant, [glue, wasm]);
    return readFileSync(wasm);
  });
}

function requireBuilt(variant: WasmVariant, files: string[]): void {
  const missing = files.find((f) => !existsSync(f));
  if (missing !== undefined) {
    throw new BackendUnavailableError(`wasm backend: ${missing} is missing (the '${variant}' build); build it with \`${BUILD_COMMAND}\``);
  }
}
