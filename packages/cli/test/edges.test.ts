/**
 * Numbers at the edges and closed pipes: a seed whose derived seed would overflow, a GEMM shape
 * that cannot be allocated (one line, exit 2, not "internal error"), the over-an-hour warning,
 * and stdout closed by its reader (quiet exit 141, no EPIPE stack trace).
 */

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLOSED_STDOUT_EXIT_CODE } from '../src/closed-stdout.js';
import { fasterBackend, RunTimeWarning } from '../src/run-time-warning.js';
import { expectCleanFailure, tempDirFactory } from './support/run-dlp.js';

const tempDir = tempDirFactory('dlp-edges');
const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));

describe('numbers at the edges', () => {
  it('--seed near 2^53 is refused up front, naming the largest seed, writing nothing', () => {
    const out = join(tempDir('seed'), 'run');
    expectCleanFailure(['train', '--setup', '1', '--seed', '9007199254740000', '--out', out], /--seed must be an integer from -9007199254740991 to 9007199253740988 \(the largest seed accepted/);
    expect(existsSync(out)).toBe(false);
  });

  it('bench gemm with a shape that cannot be allocated: one line, exit 2', () => {
    expectCleanFailure(['bench', 'gemm', '--backend', 'js', '--shapes', '100000x100000x100000'], /bench gemm: shape 100000x100000x100000 needs .* which js cannot allocate/);
    expectCleanFailure(['bench', 'gemm', '--backend', 'js', '--shapes', '100000000x100000000x100000000'], /more than can be counted exactly/);
  });
});

describe('the over-an-hour warning', () => {
  const lines: string[] = [];
  const step = (step: number, trainSeconds: number) => ({ step, steps: 5000, loss: 1, accuracy: 0, trainSeconds });

  /** A clock that reads `ms` after the warning is made (the first step's end). */
  const clockAt = (ms: number) => {
    let calls = 0;
    return () => (calls++ === 0 ? 0 : ms);
  };

  it('warns once, from the second step, naming the faster backend', () => {
    const warning = new RunTimeWarning({ steps: 5000, backend: 'js', faster: 'native', write: (l) => lines.push(l), now: clockAt(3000) });
    warning.step(step(1, 3)); // the first step's warm-up is not counted
    warning.step(step(2, 5)); // 2 s per step, 4998 steps left: 2.8 h
    warning.step(step(3, 7));
    expect(lines).toEqual(['dlp: warning: at 2.0 s per step, the 4998 steps left take about 2.8 h on js (training alone); --backend native is faster\n']);
  });

  it('says nothing for a run under an hour', () => {
    const quiet: string[] = [];
    const warning = new RunTimeWarning({ steps: 5000, backend: 'native', faster: undefined, write: (l) => quiet.push(l), now: clockAt(3000) });
    warning.step(step(1, 3));
    warning.step(step(2, 3.5)); // 0.5 s per step: 41 min
    expect(quiet).toEqual([]);
  });

  it('warns after the first step when even a tenth of its time would pass the hour', () => {
    const early: string[] = [];
    // 150 s for the first step (the ConvNet on js), 4999 steps left: 208 h, and 20.8 h at a tenth.
    const warning = new RunTimeWarning({ steps: 5000, backend: 'js', faster: 'native', write: (l) => early.push(l), now: clockAt(150_000) });
    warning.step(step(1, 150));
    warning.step(step(2, 300));
    expect(early).toEqual(['dlp: warning: at 150.0 s for the first step, the 4999 steps left take about 8.7 days on js (training alone); --backend native is faster\n']);
  });

  it('does not take a slow first step (warm-up) for the run when a tenth of it fits', () => {
    const quiet: string[] = [];
    // 3 s first step (the ConvNet on native warming up), then 0.5 s: 42 min, no warning.
    const warning = new RunTimeWarning({ steps: 5000, backend: 'native', faster: undefined, write: (l) => quiet.push(l), now: clockAt(3000) });
    warning.step(step(1, 3));
    warning.step(step(2, 3.5));
    expect(quiet).toEqual([]);
  });

  it('runs on the real clock by default (as dlp train makes it)', () => {
    const quiet: string[] = [];
    const warning = new RunTimeWarning({ steps: 3, backend: 'js', faster: 'native', write: (l) => quiet.push(l) });
    expect(() => [1, 2, 3].forEach((k) => warning.step(step(k, k * 0.01)))).not.toThrow();
    expect(quiet).toEqual([]);
  });

  it('names the fastest backend that loads, none when the chosen one is the fastest', () => {
    expect(fasterBackend('js', () => true)).toBe('native');
    expect(fasterBackend('js', (name) => name !== 'native')).toBe('wasm');
    expect(fasterBackend('native', () => true)).toBeUndefined();
  });
});

describe('stdout closed by its reader', () => {
  it('ends quietly with 141, no stack trace', async () => {
    // The read end is closed before dlp writes anything (`dlp --help | true`): its write fails with EPIPE.
    const child = spawn(process.execPath, [main, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).toBe('');
    expect(code).toBe(CLOSED_STDOUT_EXIT_CODE);
  });
});
