/**
 * A data-parallel run stopped by mpirun (SIGTERM) and resumed with `--resume DIR --distributed
 * mpi` ends with the metrics and the model of a run never stopped, byte for byte: rank 0 reads
 * the run's settings and its last checkpoint and hands them to the other rank.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { haveMpirun, mpirun, startMpirun } from './support/mpirun.js';
import { dataDir, haveData, tempDirFactory } from './support/run-dlp.js';

const tempDir = tempDirFactory('dlp-distributed-resume');

/** Resolves once process `pid` has exited (polled; at most 20 s). */
async function processGone(pid: number): Promise<void> {
  for (let waited = 0; waited < 20_000; waited += 50) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`process ${pid} did not exit`);
}

describe.skipIf(!haveData || !haveMpirun)('resuming a data-parallel run (needs mpirun and ../shared/datasets)', () => {
  it('setup 6, stopped after its second evaluation and resumed: the same files as a run never stopped', async () => {
    const settings = ['--setup', '6', '--steps', '20', '--eval-freq', '10', '--json', '--data-dir', dataDir, '--distributed', 'mpi'];
    // Both runs at once (each is deterministic, so sharing the cores changes nothing but time).
    const whole = join(tempDir('whole'), 'run');
    const once = mpirun(['train', ...settings, '--out', whole]);
    const stopped = join(tempDir('stopped'), 'run');
    const run = startMpirun(['train', ...settings, '--out', stopped]);
    await run.stdoutMatches(/"step":11,/);
    run.child.kill('SIGTERM');
    const killed = await run.exit;
    expect(killed.code).not.toBe(0);
    expect(killed.stdout).not.toMatch(/"event":"done"/);

    // mpirun has ended; its ranks may still be exiting, and rank 0's lock names it until then.
    await processGone(JSON.parse(readFileSync(join(stopped, '.dlp.lock'), 'utf8')).pid as number);

    const resumed = await mpirun(['train', '--resume', stopped, '--distributed', 'mpi', '--json']);
    const first = await once;
    expect(first.code, first.stderr).toBe(0);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/"event":"done"/);
    for (const file of ['metrics.jsonl', 'model.safetensors']) {
      expect(readFileSync(join(stopped, file)).equals(readFileSync(join(whole, file))), file).toBe(true);
    }
  });
});
