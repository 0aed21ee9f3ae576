import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The page (index.html → src/main.ts) and its training worker (src/worker.ts, an ES module
// worker: it shares chunks with the page). `base: './'` keeps every URL relative, so dist/
// works wherever it is served (`dlp web` serves it at /). The wasm builds are not bundled:
// scripts/copy-static.mjs copies them to dist/wasm/, where the worker loads them at run time
// (core's loader imports the glue by URL, marked @vite-ignore).
//
// `@dlp/core/browser` resolves to core's sources, as tsconfig.json's `paths` does for types: the
// page then needs no core build, and what is type-checked is what is bundled.
export default defineConfig({
  base: './',
  resolve: {
    alias: [{ find: /^@dlp\/core\/browser$/, replacement: fileURLToPath(new URL('../core/src/browser.ts', import.meta.url)) }],
  },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: true },
  worker: { format: 'es' },
});
