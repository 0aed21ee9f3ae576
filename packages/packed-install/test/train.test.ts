/**
 * The installed @dlp/core trains: the consumer app, compiled by tsc as a user's build would,
 * trains a tiny classifier on native, wasm and js. Installed without optional dependencies
 * (so without the platform addon), `auto` falls back to wasm with one line saying why, and
 * asking for native names the missing package. PNG plots need the optional @napi-rs/canvas,
 * which @dlp/core alone does not install: a typed error says so.
 */
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

import { installed, output, run, TSC } from './support/installed.js';

const { app, appWithoutOptional } = installed();

interface TinyRun {
  backend: string;
  detail: string;
  first: number;
  last: number;
}

async function train(cwd: string, backends: string): Promise<{ runs: TinyRun[]; stderr: string; status: number | null; text: string }> {
  const result = await run('node', ['build/train-tiny.js', backends], { cwd });
  const runs = result.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as TinyRun);
  return { runs, stderr: result.stderr, status: result.status, text: output(result) };
}

beforeAll(async () => {
  const built = await run('node', [TSC, '-p', 'tsconfig.json'], { cwd: app });
  expect(built.status, output(built)).toBe(0);
  cpSync(join(app, 'build'), join(appWithoutOptional, 'build'), { recursive: true });
});

describe('the installed @dlp/core', () => {
  it('trains on native, wasm and js: the loss falls on each', async () => {
    const { runs, status, text } = await train(app, 'native,wasm,js');
    expect(status, text).toBe(0);
    expect(runs.map((r) => r.backend)).toEqual(['native', 'wasm', 'js']);
    for (const r of runs) {
      expect(r.first, r.backend).toBeGreaterThan(0.3);
      expect(r.last, r.backend).toBeLessThan(r.first * 0.5);
    }
    expect(runs[1]?.detail).toMatch(/^wasm \(SIMD128/);
    // The three backends run the same model from the same seed: the losses agree closely.
    expect(Math.abs((runs[0]?.last ?? 0) - (runs[2]?.last ?? 1))).toBeLessThan(1e-3);
  });

  it('picks native for auto when its platform package is installed, saying nothing', async () => {
    const { runs, stderr, status, text } = await train(app, 'auto');
    expect(status, text).toBe(0);
    expect(runs.map((r) => r.backend)).toEqual(['native']);
    expect(stderr).toBe('');
  });

  it('without optional dependencies (no addon), auto falls back to wasm with one line naming the missing package', async () => {
    const { runs, stderr, status, text } = await train(appWithoutOptional, 'auto');
    expect(status, text).toBe(0);
    expect(runs.map((r) => r.backend)).toEqual(['wasm']);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^dlp: using the wasm backend: native backend unavailable: @dlp\/core-linux-x64-gnu is not installed \(npm installs it as an optional dependency/);
  });

  it('without the addon, asking for native throws BackendUnavailableError naming the package', async () => {
    const { status, stderr } = await train(appWithoutOptional, 'native');
    expect(status).not.toBe(0);
    expect(stderr).toMatch(/BackendUnavailableError: native backend unavailable: @dlp\/core-linux-x64-gnu is not installed/);
  });

  it('PNG plots without the optional @napi-rs/canvas: a MissingDependencyError naming the install command', async () => {
    const script = `
      import { plot } from '@dlp/core';
      try {
        await plot.writeTrainingPlots('.', [{ step: 1, train_loss: 1, train_accuracy: 0.1, test_loss: 1, test_accuracy: 0.1 }], { title: 't' });
        console.log('drawn');
      } catch (error) {
        console.log(error.name + ': ' + error.message);
      }`;
    const result = await run('node', ['--input-type=module', '-e', script], { cwd: app });
    expect(result.stdout.trim(), output(result)).toBe(
      'MissingDependencyError: drawing PNG plots needs the optional package @napi-rs/canvas, which is not installed: npm install @napi-rs/canvas',
    );
  });
});
