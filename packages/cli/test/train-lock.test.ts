/**
 * Two runs into one folder: while a real `dlp train` child writes its run folder, a second one
 * into the same --out (even with --overwrite) is refused with one line naming the first's pid
 * (the folder's lock); SIGTERM then stops the first with exit code 143 and the line that says how
 * to resume, leaving no lock or temp file. Needs the real CIFAR-10.
 */

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dataDir, haveData, tempDirFactory } from './support/run-dlp.js';
import { leftovers, spawnDlp } from './support/spawn-dlp.js';

const tempDir = tempDirFactory('dlp-lock');
const env = { ...process.env, npm_lifecycle_event: '' };

describe.skipIf(!haveData)('dlp train, a folder being written (needs ../shared/datasets)', () => {
  const settings = ['--setup', 'numpy', '--eval-freq', '1000', '--json', '--data-dir', dataDir];

  it('refuses a second run into a folder being written, and SIGTERM stops the first with 143', async () => {
    const out = join(tempDir('busy'), 'run');
    const first = spawnDlp(['train', ...settings, '--steps', '20000', '--out', out], env);
    await first.firstLine;
    const second = await spawnDlp(['train', ...settings, '--steps', '5', '--out', out, '--overwrite'], env).exit;
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(new RegExp(`^dlp: --out ${out} is in use by another dlp run \\(pid ${first.child.pid}\\); wait for it to end or choose another folder`));
    expect(second.stderr.trimEnd().split('\n')).toHaveLength(1);

    first.child.kill('SIGTERM');
    const stopped = await first.exit;
    expect(stopped.code, stopped.stderr).toBe(143);
    expect(stopped.stderr.trimEnd().split('\n').pop()).toMatch(/^dlp: SIGTERM: stopped at step \d+ of 20000; .* resume with: dlp train --resume \S+ --json$/);
    expect(leftovers(out)).toEqual([]);
  });
});
