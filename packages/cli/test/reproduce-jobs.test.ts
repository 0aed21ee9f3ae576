/**
 * `dlp reproduce --jobs 2` on the real CIFAR-10: runs side by side in `dlp train` children give
 * the files of runs one after another, bit for bit; a signal reaches every child, which keeps its
 * checkpoint; a child's refusal is the command's; bad --jobs values are refused up front.
 */

import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { train } from '@dlp/core';
import { dataDir, dlp, expectCleanFailure, haveData, tempDirFactory } from './support/run-dlp.js';
import { leftovers, spawnDlp } from './support/spawn-dlp.js';

const tempDir = tempDirFactory('dlp-reproduce-jobs');

describe.skipIf(!haveData)('dlp reproduce --jobs (needs ../shared/datasets)', () => {
  it('two at a time: the same metrics and weights as one at a time, and the page says how it ran', () => {
    const [one, two] = [tempDir('one'), tempDir('two')];
    const flags = ['--steps-scale', '0.01', '--setups', 'numpy,1', '--data-dir', dataDir];
    const sequential = dlp(['reproduce', 'mlp', ...flags, '--out', one]);
    expect(sequential.code, sequential.stderr).toBe(0);
    const sideBySide = dlp(['reproduce', 'mlp', ...flags, '--jobs', '2', '--out', two]);
    expect(sideBySide.code, sideBySide.stderr).toBe(0);
    expect(sideBySide.stdout).toMatch(/^results: .*mlp\.md \(2 runs in \d+ s\)\n$/);
    // Each child on its share of the cores: this machine's over 2 jobs (the order is unit-tested in core).
    const threads = Math.max(1, Math.floor(availableParallelism() / 2));
    expect(sideBySide.stderr).toMatch(new RegExp(`^dlp reproduce mlp: setup (numpy|1): 14 steps, ${threads} threads?, writing `));
    for (const setup of ['numpy', '1']) {
      for (const file of ['metrics.jsonl', 'model.safetensors']) {
        expect(readFileSync(join(two, 'mlp', setup, file)).equals(readFileSync(join(one, 'mlp', setup, file))), `${setup}/${file}`).toBe(true);
      }
      expect(leftovers(join(two, 'mlp', setup))).toEqual([]);
    }
    const page = readFileSync(join(two, 'mlp.md'), 'utf8');
    expect(page).toMatch(/`pnpm dlp reproduce mlp --steps-scale 0\.01 --setups numpy,1 --jobs 2`/);
    expect(page).toContain(`; 2 runs at a time, ${threads} kernel thread${threads === 1 ? '' : 's'} each.`);
  });

  it('SIGINT reaches every child: each keeps a checkpoint, none is left running, exit 130', async () => {
    const out = tempDir('stop');
    const run = spawnDlp(['reproduce', 'mlp', '--steps-scale', '0.5', '--setups', '2,3', '--jobs', '2', '--out', out, '--data-dir', dataDir]);
    // Once both children have trained and written a first checkpoint (after step 1), not while
    // they are still starting: a child stopped before that has nothing to keep.
    const checkpoints = ['2', '3'].map((setup) => join(out, 'mlp', setup, 'checkpoint.safetensors'));
    let exited = false;
    void run.exit.then(() => (exited = true));
    while (!exited && !checkpoints.every((file) => existsSync(file))) await new Promise((resolve) => setTimeout(resolve, 50));
    run.child.kill('SIGINT');
    const stopped = await run.exit;
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(stopped.stderr).toMatch(/\ndlp: stopped by SIGINT: the runs in progress kept their last checkpoint; finished setups are on the results page\n$/);
    for (const setup of ['2', '3']) {
      const dir = join(out, 'mlp', setup);
      // Stopped short of its 5000 steps; its lock is given back only when the child exits.
      expect(train.decodeCheckpoint(readFileSync(join(dir, 'checkpoint.safetensors'))).session.step).toBeLessThan(5000);
      expect(leftovers(dir)).toEqual([]);
    }
  });

  it("a child's refusal ends the command with its message and exit code 2", () => {
    const run = dlp(['reproduce', 'mlp', '--steps-scale', '0.01', '--setups', '1', '--jobs', '2', '--backend', 'nope', '--out', tempDir('refused'), '--data-dir', dataDir]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/\ndlp: setup 1: dlp train exited with code 2: .*nope.* \(finished setups are on the results page\)\n$/);
  });
});

describe('dlp reproduce --jobs, bad input', () => {
  it('names what is wrong', () => {
    expectCleanFailure(['reproduce', 'mlp', '--jobs', '0'], /--jobs must be a positive integer, got '0'/);
    expectCleanFailure(['reproduce', 'mlp', '--jobs', '1.5'], /--jobs must be a positive integer, got '1\.5'/);
    expectCleanFailure(['reproduce', 'transfer', '--jobs', '2'], /reproduce transfer: --jobs applies to reproduce mlp only/);
    expectCleanFailure(['reproduce', 'all', '--jobs', '2'], /reproduce all: --jobs applies to reproduce mlp only/);
  });
});
