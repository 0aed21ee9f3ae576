/**
 * Where @dlp/core's own files are on disk (Node only): the built addon in `native/` and the
 * wasm builds in `wasm/` sit beside `src/` and `dist/`, and this finds them from either.
 */

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** The folder holding @dlp/core's package.json, found by walking up from this module. */
export function corePackageRoot(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const name = (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name;
      if (name === '@dlp/core') return (cached = dir);
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find @dlp/core's package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}
