// The browser entry (src/browser.ts, `@dlp/core/browser`) bundled for a browser with esbuild, as a
// web app's bundler would: the build itself fails on any import of a Node built-in (`node:*` or a
// bare name such as `fs`), naming the chain of files that reached it; the minified output is then
// scanned for Node-only code that needs no import (process.getBuiltinModule, createRequire, native
// addon loaders, @napi-rs packages), naming the source files that hold it. Also records the
// bundle's size and holds it under a generous bound, so a regression that drags in a large
// Node-only module shows up here.
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

import * as esbuild from 'esbuild';
import { describe, expect, it } from 'vitest';

const coreRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(coreRoot, 'src', 'browser.ts');

/** Generous: the entry is ~62 KiB minified today; a Node module or a large dependency would pass this. */
const MAX_MINIFIED_BYTES = 400 * 1024;

/**
 * Text that has no business in a browser bundle: Node's module loader reached without an import,
 * native addon loaders (`require('./x.node')`, napi-rs's `index.cjs`), and @napi-rs packages.
 */
const FORBIDDEN_TEXT = [
  'process.getBuiltinModule',
  'getBuiltinModule',
  'createRequire',
  ".node'",
  '.node"',
  'index.cjs',
  '@napi-rs/canvas',
  '@napi-rs',
];

/** Node's built-ins by bare name (`fs`, `fs/promises`, `worker_threads`, …), `node:` ones apart. */
const NODE_BUILTINS = new Set(builtinModules.filter((name) => !name.startsWith('node:')));

function isNodeBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || NODE_BUILTINS.has(specifier);
}

/** A path as the messages show it: from packages/core, or from the last node_modules/ for a dependency. */
function rel(path: string): string {
  const inModules = path.lastIndexOf('/node_modules/');
  if (inModules >= 0) return path.slice(inModules + 1);
  return relative(coreRoot, path) || path;
}

interface Offender {
  specifier: string;
  /** Importer first, entry last. */
  chain: string[];
}

/** Who first imported each resolved file, to name the chain from the entry to an offender. */
class ImportGraph {
  private readonly firstImporter = new Map<string, string>();

  record(resolved: string, importer: string): void {
    if (!this.firstImporter.has(resolved)) this.firstImporter.set(resolved, importer);
  }

  /** `file`, the file that imported it, …, up to the entry. */
  chainFrom(file: string): string[] {
    const chain = [rel(file)];
    const seen = new Set([file]);
    for (let at = this.firstImporter.get(file); at !== undefined && !seen.has(at); at = this.firstImporter.get(at)) {
      seen.add(at);
      chain.push(rel(at));
    }
    return chain;
  }
}

/** Fails the build on any resolve of a Node built-in, and records the import graph for the message. */
function browserOnly(graph: ImportGraph, offenders: Offender[]): esbuild.Plugin {
  return {
    name: 'browser-only',
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData === 'browser-only:inner') return undefined;
        if (isNodeBuiltin(args.path)) {
          const chain = graph.chainFrom(args.importer);
          offenders.push({ specifier: args.path, chain });
          return { errors: [{ text: `Node built-in '${args.path}' imported by ${chain.join(' <- ')}` }] };
        }
        if (args.kind === 'entry-point') return undefined;
        // Resolve as esbuild would, only to learn which file this is; esbuild then resolves it itself.
        const resolved = await build.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: 'browser-only:inner',
        });
        if (resolved.errors.length === 0 && !resolved.external) graph.record(resolved.path, args.importer);
        return undefined;
      });
    },
  };
}

interface Bundle {
  code: string;
  minifiedBytes: number;
  gzipBytes: number;
  inputs: string[];
}

async function bundleBrowserEntry(graph: ImportGraph, offenders: Offender[]): Promise<Bundle> {
  const result = await esbuild.build({
    entryPoints: [entry],
    absWorkingDir: coreRoot,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify: true,
    write: false,
    metafile: true,
    logLevel: 'silent',
    // Only the wasm glue, which load.ts imports at run time by URL (its `import type`s vanish).
    external: ['*/dlp_wasm.js'],
    plugins: [browserOnly(graph, offenders)],
  });
  const [output] = result.outputFiles;
  if (!output) throw new Error('esbuild produced no output');
  return {
    code: output.text,
    minifiedBytes: output.contents.byteLength,
    gzipBytes: gzipSync(output.contents).byteLength,
    inputs: Object.keys(result.metafile.inputs).map((input) => join(coreRoot, input)),
  };
}

/** The inputs whose own minified code holds `text` (comments do not count). */
async function inputsHolding(text: string, inputs: string[]): Promise<string[]> {
  const holders: string[] = [];
  for (const input of inputs) {
    const loader = /\.[cm]?tsx?$/.test(input) ? 'ts' : 'js';
    let source: string;
    try {
      source = readFileSync(input, 'utf8');
    } catch {
      continue;
    }
    const { code } = await esbuild.transform(source, { loader, minify: true, format: 'esm', logLevel: 'silent' });
    if (code.includes(text)) holders.push(input);
  }
  return holders;
}

describe('browser entry bundle', () => {
  it('builds for the browser without Node code, under the size bound', async () => {
    const graph = new ImportGraph();
    const offenders: Offender[] = [];
    let bundle: Bundle;
    try {
      bundle = await bundleBrowserEntry(graph, offenders);
    } catch (err) {
      const errors = (err as { errors?: esbuild.Message[] }).errors ?? [];
      const lines = errors.map((e) => `${e.location ? `${rel(join(coreRoot, e.location.file))}:${e.location.line}: ` : ''}${e.text}`);
      expect.fail(`src/browser.ts does not bundle for the browser:\n  ${lines.join('\n  ') || String(err)}`);
    }
    expect(offenders).toEqual([]);

    const found: string[] = [];
    for (const text of FORBIDDEN_TEXT) {
      const at = bundle.code.indexOf(text);
      if (at < 0) continue;
      const holders = await inputsHolding(text, bundle.inputs);
      const where = holders.length > 0 ? holders.map((h) => graph.chainFrom(h).join(' <- ')).join('; ') : 'source unknown';
      found.push(`'${text}' (…${bundle.code.slice(Math.max(0, at - 60), at + 60)}…) from ${where}`);
    }
    expect(found, `Node-only code in the browser bundle:\n  ${found.join('\n  ')}`).toEqual([]);

    console.log(
      `browser bundle (src/browser.ts, ${bundle.inputs.length} inputs): ${(bundle.minifiedBytes / 1024).toFixed(1)} KiB minified, ` +
        `${(bundle.gzipBytes / 1024).toFixed(1)} KiB gzip (${bundle.minifiedBytes} / ${bundle.gzipBytes} bytes)`,
    );
    expect(bundle.minifiedBytes).toBeLessThan(MAX_MINIFIED_BYTES);
  }, 10_000);
});
