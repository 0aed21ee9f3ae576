import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// One file at a time: the browser tests each train in a Chromium worker, and two at once on a
// 2-core machine would only slow both. `@dlp/core/browser` resolves to core's sources, as in
// vite.config.ts, so the page's modules are tested as they are bundled.
export default defineConfig({
  resolve: {
    alias: [{ find: /^@dlp\/core\/browser$/, replacement: fileURLToPath(new URL('../core/src/browser.ts', import.meta.url)) }],
  },
  test: { include: ['test/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000, fileParallelism: false },
});
