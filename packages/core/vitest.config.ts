import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Backends share one native thread pool and one wasm instance per process: keep files
    // in one worker at a time so no two tests time or allocate against each other.
    fileParallelism: false,
    testTimeout: 60_000,
  },
});
