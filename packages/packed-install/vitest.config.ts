import { defineConfig } from 'vitest/config';

// The global setup packs and installs once (about half a minute); each test file then checks
// one thing about the installed packages. One file at a time: they run child processes that
// train, and two at once on a 2-core machine would only slow both.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
  },
});
