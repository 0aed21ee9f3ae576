/**
 * The built `dlp` command end to end (dist/main.js, as `pnpm dlp` runs it): help, JSON lines
 * of `bench gemm`, `data check`, and bad input ending in one line and exit code 2.
 */

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const repoRoot = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const sharedData = resolve(repoRoot, '..', 'shared', 'datasets');

const made: string[] = [];
const tempDir = (name: string) => {
  const dir = mkdtempSync(join(tmpdir(), `dlp-cli-${name}-`));
  made.push(dir);
  return dir;
};
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function dlp(args: string[], env: Record<string, string> = {}) {
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`pnpm build\` first`);
  const result = spawnSync(process.execPath, [main, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Exit 2, one line on stderr starting "dlp: ", no stack trace. */
function expectCleanFailure(run: ReturnType<typeof dlp>, message: RegExp) {
  expect(run.code).toBe(2);
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^dlp: /);
  expect(lines[0]).toMatch(message);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

describe('dlp --help', () => {
  it('lists the commands and exits 0', () => {
    const run = dlp(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/bench gemm/);
    expect(run.stdout).toMatch(/data check/);
  });

  it('prints a command’s own help', () => {
    const run = dlp(['bench', 'gemm', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/--backend NAME/);
    expect(run.stdout).toMatch(/--threads N/);
  });
});

describe('dlp bench gemm', () => {
  it.each(['native', 'wasm', 'js'])('prints one JSON line per shape on %s', (backend) => {
    const run = dlp(['bench', 'gemm', '--backend', backend, '--shapes', '16x32x8,7x5x3', '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ backend, m: 16, k: 32, n: 8 });
    expect(lines[1]).toMatchObject({ backend, m: 7, k: 5, n: 3, threads: backend === 'native' ? expect.any(Number) : 1 });
    for (const line of lines) {
      expect(Object.keys(line).sort()).toEqual(['backend', 'gflops', 'k', 'm', 'n', 'threads']);
      expect(line.gflops).toBeGreaterThan(0);
    }
  });

  it('honours --threads on native', () => {
    const run = dlp(['bench', 'gemm', '--backend', 'native', '--threads', '1', '--shapes', '8x8x8', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ backend: 'native', threads: 1 });
  });

  it('refuses bad flags with one line and exit code 2', () => {
    expectCleanFailure(dlp(['bench', 'gemm', '--threads=-3']), /--threads must be a positive integer, got '-3'/);
    expectCleanFailure(dlp(['bench', 'gemm', '--threads', '-3']), /--threads must be a positive integer, got '-3'/);
    expectCleanFailure(dlp(['bench', 'gemm', '--threads', '--json']), /--threads needs a value; one starting with '-' is written --threads=VALUE/);
    expectCleanFailure(dlp(['bench', 'gemm', '--threads', '1.5']), /--threads must be a positive integer, got '1.5'/);
    expectCleanFailure(dlp(['bench', 'gemm', '--backend', 'tpu']), /unknown backend 'tpu': expected one of auto, cuda, native, wasm, js/);
    expectCleanFailure(dlp(['bench', 'gemm', '--shapes', '2x2']), /--shapes: '2x2' is not MxKxN/);
    expectCleanFailure(dlp(['bench', 'gemm', '--backend', 'wasm', '--threads', '2']), /wasm backend's 'simd' build runs on 1 thread; cannot use 2/);
    expectCleanFailure(dlp(['bench', 'gemm', '--bogus']), /Unknown option '--bogus'/);
  });
});

describe('dlp, bad commands', () => {
  it('names an unknown command and suggests the close one', () => {
    expectCleanFailure(dlp(['bench', 'gem']), /unknown command 'bench gem'; did you mean 'bench gemm'/);
    expectCleanFailure(dlp(['train-all']), /unknown command 'train-all'/);
  });
});

describe('dlp data check', () => {
  it('names the directory when the data is not there, without downloading', () => {
    const empty = tempDir('empty');
    expectCleanFailure(dlp(['data', 'check', '--data-dir', empty]), new RegExp(`${empty}.*data_batch_1\\.bin`));
  });

  it('names a truncated file', () => {
    const dir = tempDir('trunc');
    for (const name of ['data_batch_1', 'data_batch_2', 'data_batch_3', 'data_batch_4', 'data_batch_5', 'test_batch']) {
      writeFileSync(join(dir, `${name}.bin`), new Uint8Array(3073 * 2));
    }
    expectCleanFailure(dlp(['data', 'check', '--data-dir', dir]), /data_batch_1\.bin is truncated: 6146 bytes, expected 30730000/);
  });

  it.skipIf(!existsSync(join(sharedData, 'cifar-10-batches-bin')))(
    'reads the real set from ../shared/datasets (needs ../shared beside the repo)',
    () => {
      const run = dlp(['data', 'check', '--data-dir', sharedData, '--json']);
      expect(run.code).toBe(0);
      const summary = JSON.parse(run.stdout) as { train: number; test: number; train_per_class: number[]; test_per_class: number[] };
      expect(summary.train).toBe(50_000);
      expect(summary.test).toBe(10_000);
      expect(summary.train_per_class).toEqual(new Array(10).fill(5000));
      expect(summary.test_per_class).toEqual(new Array(10).fill(1000));
    },
  );
});
