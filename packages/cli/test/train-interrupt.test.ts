/**
 * Ctrl-C during `dlp train` on the real CIFAR-10: SIGINT sent to a real child process after its
 * first evaluation line stops it with exit code 130 and one line naming the run folder and the
 * exact command that resumes it; the folder holds the config, the metrics, a checkpoint at the
 * step reached, the model and the plots, and no lock or temp file. Running that command finishes
 * the run, and the whole run's metrics.jsonl and model.safetensors equal, byte for byte, those of
 * a run never interrupted.
 */

import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { io, train } from '@dlp/core';
import { dataDir, haveData, tempDirFactory } from './support/run-dlp.js';
import { leftovers, spawnDlp } from './support/spawn-dlp.js';

const tempDir = tempDirFactory('dlp-interrupt');
const STEPS = 300;
const settings = ['--setup', 'numpy', '--steps', String(STEPS), '--eval-freq', '100', '--json', '--data-dir', dataDir];
// Not run through pnpm: the command printed is the installed `dlp`'s.
const env = { ...process.env, npm_lifecycle_event: '' };

describe.skipIf(!haveData)('dlp train, interrupted by SIGINT and resumed (needs ../shared/datasets)', () => {
  it('saves everything, says how to resume, and the resumed run equals an uninterrupted one', async () => {
    const out = join(tempDir('sigint'), 'run');
    const straightOut = join(tempDir('straight'), 'run');
    // The uninterrupted run, beside the interrupted one (the machine has two cores).
    const straightRun = spawnDlp(['train', ...settings, '--out', straightOut], env).exit;
    const run = spawnDlp(['train', ...settings, '--out', out], env);
    expect(JSON.parse(await run.firstLine)).toMatchObject({ event: 'eval', step: 1 });
    run.child.kill('SIGINT');
    const stopped = await run.exit;
    expect(stopped.code, stopped.stderr).toBe(130);
    const last = stopped.stderr.trimEnd().split('\n').pop()!;
    const match = /^dlp: SIGINT: stopped at step (\d+) of 300; checkpoint, metrics, model and plots are in (.+); resume with: dlp train --resume (\S+) --json$/.exec(last);
    expect(match, last).not.toBeNull();
    const [, stepText, folder, resumeDir] = match!;
    const step = Number(stepText);
    expect(step).toBeGreaterThanOrEqual(1);
    expect(step).toBeLessThan(STEPS);
    expect([folder, resumeDir]).toEqual([out, out]);
    expect(stopped.stdout.trim().split('\n')).toHaveLength(1); // the eval line; no done line

    expect(readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).step)).toEqual([1]);
    const checkpoint = train.decodeCheckpoint(readFileSync(join(out, 'checkpoint.safetensors')));
    expect(checkpoint.session.step).toBe(step);
    const model = await io.loadSafetensors(join(out, 'model.safetensors'));
    expect(model.metadata.steps).toBe(String(step));
    for (const png of ['loss.png', 'accuracy.png']) expect(statSync(join(out, png)).size).toBeGreaterThan(1000);
    expect(leftovers(out)).toEqual([]);

    // The command it printed, as printed.
    const resumed = await spawnDlp(['train', '--resume', resumeDir!, '--json'], env).exit;
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`resuming ${out} at step ${step}`);
    const lines = resumed.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.event === 'eval').map((l) => l.step)).toEqual([101, 201, 300]);
    expect(lines.at(-1)).toMatchObject({ event: 'done', setup: 'numpy', steps: STEPS });
    expect(leftovers(out)).toEqual([]);

    const straight = await straightRun;
    expect(straight.code, straight.stderr).toBe(0);
    expect(readFileSync(join(out, 'metrics.jsonl'), 'utf8')).toBe(readFileSync(join(straightOut, 'metrics.jsonl'), 'utf8'));
    expect(readFileSync(join(out, 'model.safetensors')).equals(readFileSync(join(straightOut, 'model.safetensors')))).toBe(true);
    expect(JSON.parse(straight.stdout.trim().split('\n').at(-1)!).test_accuracy).toBe(lines.at(-1).test_accuracy);
  });
});
