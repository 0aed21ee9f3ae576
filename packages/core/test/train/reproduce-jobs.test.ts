/**
 * reproduce() with `jobs`: a fake runner (no training) records when each setup starts and ends,
 * so the schedule itself is checked: one at a time in the page's order; side by side, the most
 * work first and never more than `jobs` at once; rows keep the page's order; the first failure
 * is the one thrown, after the runs in progress end, and no run starts after it.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../../src/errors.js';
import { reproduce, type SetupRunner } from '../../src/train/reproduce.js';
import type { RunOptions, RunResult } from '../../src/train/run.js';
import { tempDir } from './resume-support.js';

/** A runner that takes `ms[setup]` milliseconds per setup and logs starts and ends. */
function fakeRunner(ms: Record<string, number>, fail?: string) {
  const log: string[] = [];
  let running = 0;
  let most = 0;
  const run: SetupRunner = async (options: RunOptions) => {
    const setup = options.setup!;
    log.push(`start ${setup}`);
    most = Math.max(most, ++running);
    await new Promise((resolve) => setTimeout(resolve, ms[setup] ?? 1));
    running--;
    log.push(`end ${setup}`);
    if (setup === fail) throw new Error(`setup ${setup} failed`);
    const done = { event: 'done', setup, steps: options.steps!, test_accuracy: 0.5, test_loss: 1, wall_s: 1, train_steps_per_s: 100, backend: 'fake' } as const;
    return { done, evals: [], config: {}, runDir: {} } as unknown as RunResult;
  };
  return { run, log, most: () => most };
}

const page = (outDir: string, runSetup: SetupRunner, jobs: number, setups = ['numpy', '1', '5', '4', '9']) =>
  reproduce({ setups, outDir, group: 'mlp', title: 't', command: 'c', machine: 'm', jobs, runSetup, stepsScale: 0.001 });

describe('reproduce, one at a time or side by side', () => {
  it('one at a time runs the setups in the order given', async () => {
    const runner = fakeRunner({});
    await page(tempDir('jobs-1'), runner.run, 1);
    expect(runner.log).toEqual(['start numpy', 'end numpy', 'start 1', 'end 1', 'start 5', 'end 5', 'start 4', 'end 4', 'start 9', 'end 9']);
  });

  it('side by side starts the most work first, at most `jobs` at once, and the page keeps its order', async () => {
    // Work = steps × batch × weights: setup 4 (10000 × 200 × 3.67M) > 5 (10000 × 128 × 3.82M) > 9 > numpy = 1.
    const runner = fakeRunner({ 4: 60, 5: 30, 9: 10, numpy: 5, 1: 5 });
    const out = tempDir('jobs-2');
    const { results } = await page(out, runner.run, 2);
    expect(runner.log.filter((l) => l.startsWith('start'))).toEqual(['start 4', 'start 5', 'start 9', 'start numpy', 'start 1']);
    expect(runner.most()).toBe(2);
    expect(results.map((r) => r.done.setup)).toEqual(['numpy', '1', '5', '4', '9']);
    const rows = readFileSync(join(out, 'mlp.md'), 'utf8').match(/^\| (numpy|1|4|5|9) \| /gm)!.slice(0, 5);
    expect(rows).toEqual(['| numpy | ', '| 1 | ', '| 5 | ', '| 4 | ', '| 9 | ']);
  });

  it('a failure is thrown once the runs in progress end; nothing starts after it', async () => {
    const runner = fakeRunner({ 4: 40, 5: 5, 9: 5 }, '5');
    await expect(page(tempDir('jobs-fail'), runner.run, 2)).rejects.toThrow('setup 5 failed');
    expect(runner.log).toEqual(['start 4', 'start 5', 'end 5', 'end 4']);
  });

  it('refuses jobs that are not a positive integer, and jobs > 1 without a runner', async () => {
    const dir = tempDir('jobs-bad');
    await expect(reproduce({ setups: ['1'], outDir: dir, group: 'mlp', title: 't', command: 'c', machine: 'm', jobs: 0 })).rejects.toThrow(ArgumentError);
    await expect(reproduce({ setups: ['1'], outDir: dir, group: 'mlp', title: 't', command: 'c', machine: 'm', jobs: 2 })).rejects.toThrow(/jobs 2 needs runSetup/);
  });
});
