/**
 * A seed is refused up front when a seed derived from it (the batch order's seed + offset) would
 * not be a safe integer: the message names the largest seed accepted, and nothing is written.
 */

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ArgumentError } from '../../src/errors.js';
import { train } from '../../src/index.js';
import { data } from './resume-support.js';

const root = mkdtempSync(join(tmpdir(), 'dlp-seed-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const run = (seed: number, out: string) =>
  train.runExperiment({ setup: 'tiny-resume', backend: 'js', data, out, steps: 2, evalFreq: 2, seed });

describe('seeds at the edge of the safe integers', () => {
  it('MAX_SEED is the largest seed whose derived seed is still safe', () => {
    expect(train.MAX_SEED + train.SHUFFLE_SEED_OFFSET).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('refuses MAX_SEED + 1 naming the largest seed, before the run folder is made', async () => {
    const out = join(root, 'refused');
    const error = await run(train.MAX_SEED + 1, out).then(() => new Error('not refused'), (e: unknown) => e as Error);
    expect(error).toBeInstanceOf(ArgumentError);
    expect(error.message).toContain(`to ${train.MAX_SEED} (the largest seed accepted`);
    expect(existsSync(out)).toBe(false);
  });

  it('trains with MAX_SEED and with the smallest seed', async () => {
    expect((await run(train.MAX_SEED, join(root, 'max'))).done.steps).toBe(2);
    expect((await run(train.MIN_SEED, join(root, 'min'))).done.steps).toBe(2);
  });
});
