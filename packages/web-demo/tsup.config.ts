import { defineConfig } from 'tsup';

// One browser bundle: the page's script with @dlp/core's browser entry inlined.
export default defineConfig({
  entry: { main: 'src/main.ts' },
  format: ['esm'],
  platform: 'browser',
  target: 'es2022',
  sourcemap: true,
  clean: true,
  noExternal: [/^@dlp\//],
});
