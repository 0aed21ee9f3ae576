/**
 * `mpirun -n 2 dlp train --setup 6 … --distributed mpi` (BatchNorm, Adam) on the real CIFAR-10:
 * each rank normalises its own shard, as PyTorch's DDP does, so each step's loss must be that of
 * a single process that accumulates the two shards' gradients before every optimiser step
 * (within 1e-5), and is not a plain single process's.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectClose, haveMpirun, mpirun, shardAccumulatedLosses, stepLosses } from './support/mpirun.js';
import { dataDir, haveData, tempDirFactory } from './support/run-dlp.js';

const tempDir = tempDirFactory('dlp-distributed-bn');

describe.skipIf(!haveData || !haveMpirun)('data-parallel BatchNorm over MPI, two processes (needs mpirun and ../shared/datasets)', () => {
  it('setup 6: every step’s loss is the shard-accumulated single process’s', async () => {
    const steps = 4;
    const out = join(tempDir('setup6'), 'run');
    const run = await mpirun(['train', '--setup', '6', '--steps', String(steps), '--eval-freq', '1', '--json', '--out', out, '--data-dir', dataDir, '--distributed', 'mpi']);
    expect(run.code, run.stderr).toBe(0);
    expectClose(stepLosses(run.stdout), await shardAccumulatedLosses('6', steps), 1e-5);
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).distributed).toEqual({ engine: 'mpi', processes: 2 });
  });
});
