import { defineConfig } from 'vitest/config';

// One file at a time: the browser tests each train in a Chromium worker, and two at once on a
// 2-core machine would only slow both.
export default defineConfig({
  test: { include: ['test/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000, fileParallelism: false },
});
