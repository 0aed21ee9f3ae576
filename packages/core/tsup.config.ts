import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/browser.ts'],
  format: ['esm'],
  // Declarations come from tsc (tsconfig.build.json), one per source file: see there why.
  dts: false,
  sourcemap: true,
  clean: true,
  target: 'node20',
});
