/**
 * The dlp command installed with `npm install -g @dlp/cli` (into a temporary prefix): its help,
 * its backends, a 5-step training run that finds CIFAR-10 through DLP_DATA_DIR as documented
 * and writes a complete run folder (plots included: the CLI depends on @napi-rs/canvas), and
 * the web demo served from the installed, prebuilt page.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { installed, output, run, sharedData, skipWithoutData, userEnv } from './support/installed.js';

const { globalPrefix, globalFromFiles, root } = installed();
const dlp = join(globalPrefix, 'bin', 'dlp');

describe('dlp installed globally from the tarball', () => {
  it('is on the prefix bin path and prints its help', async () => {
    expect(existsSync(dlp)).toBe(true);
    const result = await run(dlp, ['--help'], { cwd: root, env: userEnv() });
    expect(result.status, output(result)).toBe(0);
    for (const command of ['train', 'reproduce', 'web', 'data check', 'backends']) expect(result.stdout).toContain(command);
  });

  it('loads native (from the platform package), wasm and js', async () => {
    const result = await run(dlp, ['backends'], { cwd: root, env: userEnv() });
    expect(result.status, output(result)).toBe(0);
    expect(result.stdout).toMatch(/^native +ok /m);
    expect(result.stdout).toMatch(/^wasm +ok +wasm \(SIMD128/m);
    expect(result.stdout).toMatch(/^js +ok /m);
  });

  it('installed from the tarball files by path (as the README shows), loads native too', async () => {
    const result = await run(join(globalFromFiles, 'bin', 'dlp'), ['backends'], { cwd: root, env: userEnv() });
    expect(result.status, output(result)).toBe(0);
    expect(result.stdout).toMatch(/^native +ok /m);
  });

  it('refuses an unknown setup with one line and exit code 2', async () => {
    const result = await run(dlp, ['train', '--setup', 'nope'], { cwd: root, env: userEnv() });
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^dlp: .*nope/);
  });

  it.skipIf(skipWithoutData)('trains setup 1 for 5 steps, finding the data through DLP_DATA_DIR, and writes the run folder', async () => {
    const out = join(root, 'run-setup1');
    const result = await run(dlp, ['train', '--setup', '1', '--steps', '5', '--eval-freq', '5', '--out', out, '--json'], {
      cwd: root,
      env: userEnv({ DLP_DATA_DIR: sharedData }),
      timeout: 120_000,
    });
    expect(result.status, output(result)).toBe(0);
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const done = lines.at(-1);
    expect(done).toMatchObject({ event: 'done', setup: '1', steps: 5, backend: 'native' });
    expect(done?.test_accuracy).toBeGreaterThan(0.1);
    for (const file of ['config.json', 'metrics.jsonl', 'model.safetensors', 'loss.png', 'accuracy.png']) {
      expect(existsSync(join(out, file)), file).toBe(true);
    }
    expect(readFileSync(join(out, 'loss.png')).subarray(1, 4).toString()).toBe('PNG');
  });

  it('serves the installed web demo (prebuilt, cross-origin isolated) without building anything', async () => {
    const child = spawn(dlp, ['web', '--port', '0'], { cwd: root, env: userEnv({ DLP_DATA_DIR: join(root, 'no-data-here') }) });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let seen = '';
        child.stdout.on('data', (chunk: Buffer) => {
          seen += chunk.toString();
          const match = /dlp web demo: (http:\/\/\S+)/.exec(seen);
          if (match?.[1]) resolve(match[1]);
        });
        child.stderr.on('data', (chunk: Buffer) => (seen += chunk.toString()));
        child.on('exit', (code) => reject(new Error(`dlp web exited ${code}: ${seen}`)));
      });
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(page.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
      expect(await page.text()).toContain('data-testid');
      const wasm = await fetch(new URL('wasm/threads/dlp_wasm_bg.wasm', url));
      expect(wasm.status).toBe(200);
      expect(wasm.headers.get('content-type')).toBe('application/wasm');
    } finally {
      child.kill('SIGINT');
    }
  });
});
