/**
 * package.json's `sideEffects` must name every module that does something when imported: a
 * top-level call (registering a backend or a setup, installing tensor methods) or a bare
 * `import './x.js'`. Bundlers apply the list to the sources too (esbuild for dist/, Vite for
 * the web demo): a module left out is dropped when nothing uses its exports, which once left
 * the installed package with no backend and the web demo without the numpy setup.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const packageRoot = join(import.meta.dirname, '..');
const { sideEffects } = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { sideEffects: string[] };

/** The glob syntax the list uses: `*` within a folder, `**` across folders. */
function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/^\.\//, '')
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*\*/g, '\u0000')
    .replace(/\*/g, '[^/]*')
    .replace(/\u0000/g, '.*');
  return new RegExp(`^${body}$`);
}
const listed = sideEffects.map(globToRegExp);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** Lines that act at import: a statement starting with a call, or a bare relative import. */
const ACTS = /^(import '\.[^']*';|[A-Za-z_$][\w$.]*\()/m;

describe("package.json's sideEffects", () => {
  const acting = sources(join(packageRoot, 'src'))
    .filter((file) => ACTS.test(readFileSync(file, 'utf8')))
    .map((file) => relative(packageRoot, file));

  it('finds the modules that act when imported (the check sees them)', () => {
    expect(acting).toEqual(expect.arrayContaining(['src/index.ts', 'src/browser.ts', 'src/backends/native/register.ts', 'src/ops/tensor-methods.ts']));
  });

  it.each(acting)('lists %s', (file) => {
    expect(listed.some((pattern) => pattern.test(file))).toBe(true);
  });

  it('lists the published bundles', () => {
    for (const bundle of ['dist/index.js', 'dist/browser.js', 'dist/chunk-ABC123.js']) expect(listed.some((p) => p.test(bundle))).toBe(true);
  });
});
