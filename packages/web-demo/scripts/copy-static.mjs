#!/usr/bin/env node
// After `vite build`: copies @dlp/core's wasm builds (packages/core/wasm/: simd/, scalar/ and
// threads/ where built) to dist/wasm/, where the worker loads them at run time. They are not
// bundled: the glue is imported by URL and the .wasm fetched beside it.
import { cpSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = join(dirname(fileURLToPath(import.meta.url)), '..');
const wasm = join(here, '..', 'core', 'wasm');
if (!existsSync(join(wasm, 'simd'))) {
  console.error(`web-demo: ${wasm}/simd is missing; build it first with \`pnpm --filter @dlp/core build:wasm\``);
  process.exit(1);
}
if (!existsSync(join(here, 'dist', 'index.html'))) {
  console.error('web-demo: dist/index.html is missing; run `vite build` first (`pnpm --filter @dlp/web-demo build` does both)');
  process.exit(1);
}
cpSync(wasm, join(here, 'dist', 'wasm'), { recursive: true });
console.error('web-demo: dist/ ready (index.html, assets/, wasm/)');
