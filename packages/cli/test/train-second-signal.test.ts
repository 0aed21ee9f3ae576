/**
 * A second signal during the first one's checkpoint: a real `dlp train` child exits at once with
 * the second signal's code and one line, every file it wrote stays whole (metrics, checkpoint)
 * and no lock or temp file is left; --overwrite then replaces the run's files and keeps the
 * user's. Needs the real CIFAR-10.
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { train } from '@dlp/core';
import { dataDir, haveData, tempDirFactory } from './support/run-dlp.js';
import { leftovers, spawnDlp } from './support/spawn-dlp.js';

const tempDir = tempDirFactory('dlp-second-signal');
const env = { ...process.env, npm_lifecycle_event: '' };

describe.skipIf(!haveData)('dlp train, a second signal (needs ../shared/datasets)', () => {
  const settings = ['--setup', 'numpy', '--eval-freq', '1000', '--json', '--data-dir', dataDir];

  it('a second signal exits at once; the checkpoint and metrics stay whole; --overwrite then replaces the run files only', async () => {
    const out = join(tempDir('twice'), 'run');
    const run = spawnDlp(['train', ...settings, '--steps', '20000', '--out', out], env);
    await run.firstLine;
    // Stopped, the child gets both signals pending and handles them in one turn of its event
    // loop: the second arrives before the first has been acted on (two SIGINTs would merge into one).
    // Which of the two the child sees second is not ours to choose: the kernel hands pending
    // signals to whichever of Node's threads takes them, and a fresh-clone CI run saw SIGTERM first.
    run.child.kill('SIGSTOP');
    run.child.kill('SIGINT');
    run.child.kill('SIGTERM');
    run.child.kill('SIGCONT');
    const stopped = await run.exit;
    const second = /\ndlp: second signal \((SIGINT|SIGTERM)\): exiting now; the run folder keeps its last checkpoint\n$/.exec(stopped.stderr);
    expect(second, stopped.stderr).not.toBeNull();
    expect(stopped.code, stopped.stderr).toBe(second![1] === 'SIGINT' ? 130 : 143);
    expect(stopped.stderr).not.toMatch(/resume with/);
    expect(leftovers(out)).toEqual([]);
    expect(readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).step)).toEqual([1]);
    expect(train.decodeCheckpoint(readFileSync(join(out, 'checkpoint.safetensors'))).session.step).toBe(1);

    writeFileSync(join(out, 'notes.txt'), 'keep');
    const again = await spawnDlp(['train', ...settings, '--steps', '3', '--out', out, '--overwrite'], env).exit;
    expect(again.code, again.stderr).toBe(0);
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('keep');
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).steps).toBe(3);
    expect(readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).step)).toEqual([1, 3]);
  });
});
