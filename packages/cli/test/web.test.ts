/**
 * `dlp web` end to end: it serves the built page and the data cross-origin isolated (the
 * headers threads need), prints its URL, stops cleanly on SIGINT, and refuses bad flags, a
 * wrong data folder and a busy port with one line and exit code 2.
 */

import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { dataDir, expectCleanFailure, tempDirFactory } from './support/run-dlp.js';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const tempDir = tempDirFactory('dlp-web');

/** Starts `dlp web`, resolving once it printed its URL. */
function startWeb(args: string[]) {
  const child = spawn(process.execPath, [main, 'web', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /dlp web demo: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout);
      if (match) resolve(match[1]!);
    });
    void exited.then((code) => reject(new Error(`dlp web exited (${code}) before printing its URL: ${stderr}`)));
  });
  return { child, url, exited, stderr: () => stderr };
}

describe('dlp web', () => {
  it('serves the page and the data with the cross-origin isolation headers, and stops on SIGINT', async () => {
    const web = startWeb(['--port', '0', '--data-dir', dataDir, '--no-build']);
    const url = await web.url;

    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(page.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(await page.text()).toMatch(/<html/i);

    const testBatch = await fetch(new URL('data/test_batch.bin', url), { method: 'HEAD' });
    expect(testBatch.status).toBe(200);
    expect(testBatch.headers.get('content-length')).toBe(String(10_000 * 3073));
    expect((await fetch(new URL('data/../../etc/passwd', url))).status).toBe(404);

    web.child.kill('SIGINT');
    expect(await web.exited).toBe(0);
    expect(web.stderr()).toMatch(/serving CIFAR-10 from .*cifar-10-batches-bin/);
  });

  it('refuses a bad port, a wrong data folder and a busy port with one line and exit code 2', async () => {
    expectCleanFailure(['web', '--port', '70000'], /--port must be an integer in 0\.\.65535, got '70000'/);
    expectCleanFailure(['web', '--port', 'x'], /--port must be an integer/);
    expectCleanFailure(['web', '--data-dir', tempDir('empty'), '--no-build'], /--data-dir/);
    expectCleanFailure(['web', 'extra'], /unexpected argument 'extra'/);

    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const { port } = busy.address() as { port: number };
    try {
      expectCleanFailure(['web', '--port', String(port), '--data-dir', dataDir, '--no-build'], new RegExp(`port ${port} is in use`));
    } finally {
      busy.close();
    }
  });
});

describe('when dlp web rebuilds the page', () => {
  it('builds when dist/index.html is missing or older than the page sources or core', async () => {
    const { staleReason } = await import('../src/web/demo-build.js');
    const { mkdirSync, utimesSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const base = tempDir('stale');
    const root = join(base, 'web-demo');
    const dist = join(root, 'dist');
    for (const dir of [join(root, 'src'), dist, join(base, 'core', 'src'), join(base, 'core', 'wasm', 'simd')]) mkdirSync(dir, { recursive: true });
    const touch = (file: string, seconds: number) => {
      writeFileSync(file, 'x');
      utimesSync(file, seconds, seconds);
    };
    touch(join(root, 'src', 'main.ts'), 1000);
    touch(join(base, 'core', 'wasm', 'simd', 'dlp_wasm_bg.wasm'), 1000);
    expect(staleReason({ root, dist })).toBe('it has not been built yet');
    touch(join(dist, 'index.html'), 2000);
    expect(staleReason({ root, dist })).toBeUndefined();
    touch(join(root, 'src', 'main.ts'), 3000);
    expect(staleReason({ root, dist })).toBe(`${join(root, 'src')} changed since it was built`);
    touch(join(root, 'src', 'main.ts'), 1000);
    touch(join(base, 'core', 'wasm', 'simd', 'dlp_wasm_bg.wasm'), 3000);
    expect(staleReason({ root, dist })).toBe(`${join(base, 'core', 'wasm')} changed since it was built`);
  });

  it('never rebuilds an installed page (no src/ beside dist/), and says so when its page is missing', async () => {
    const { DemoBuildError, staleReason } = await import('../src/web/demo-build.js');
    const { mkdirSync, utimesSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const base = tempDir('installed');
    const root = join(base, 'web-demo');
    const dist = join(root, 'dist');
    mkdirSync(join(base, 'core', 'wasm', 'simd'), { recursive: true });
    mkdirSync(dist, { recursive: true });
    expect(() => staleReason({ root, dist })).toThrow(DemoBuildError);
    expect(() => staleReason({ root, dist })).toThrow(/installed @dlp\/web-demo has no built page.*reinstall @dlp\/cli/);
    writeFileSync(join(dist, 'index.html'), 'x');
    utimesSync(join(dist, 'index.html'), 1000, 1000);
    writeFileSync(join(base, 'core', 'wasm', 'simd', 'dlp_wasm_bg.wasm'), 'x'); // newer than the page
    expect(staleReason({ root, dist })).toBeUndefined();
  });
});
