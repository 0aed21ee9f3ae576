#!/usr/bin/env node
// Puts the page together in dist/: index.html beside the bundle, and a copy of @dlp/core's
// wasm builds (simd/ and scalar/) under dist/wasm/, where main.ts loads them from.
import { cpSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = join(dirname(fileURLToPath(import.meta.url)), '..');
const wasm = join(here, '..', 'core', 'wasm');
if (!existsSync(join(wasm, 'simd'))) {
  console.error(`web-demo: ${wasm}/simd is missing; build it first with \`pnpm --filter @dlp/core build:wasm\``);
  process.exit(1);
}
cpSync(join(here, 'static'), join(here, 'dist'), { recursive: true });
cpSync(wasm, join(here, 'dist', 'wasm'), { recursive: true });
console.error('web-demo: dist/ ready (index.html, main.js, wasm/)');
