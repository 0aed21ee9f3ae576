/**
 * The page trains exactly as `dlp train --setup N` does: the worker's createRun (seed, shuffle
 * stream, evaluation chunk, core's TrainingSession) against core's runExperiment, the CLI's
 * runner, on the real CIFAR-10 decoded the page's way (cifar10FromBytes). Same backend, same
 * evaluation records to the bit. Native backend, a few steps of setup 1 (createRun does nothing
 * setup-specific: the registry builds the model), in batches of 12 500 so that the fifth step is past the first epoch (which runs in file order)
 * and depends on the shuffle's seed.
 */

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { data, getBackend, train } from '../../core/src/index.js';
import { BATCH_FILES } from '../src/batch-files.js';
import { createRun } from '../src/session.js';
import { binDir, DATA_NOTE, skipWithoutData } from './support/demo-page.js';

const out = mkdtempSync(join(tmpdir(), 'dlp-web-parity-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe.skipIf(skipWithoutData)(`the page's run wiring is the CLI's (${DATA_NOTE})`, () => {
  const batchSize = 12_500;
  it.each([['1', 5, 4]])('setup %s, %i steps, evaluating every %i', async (setup, steps, evalFreq) => {
    const dir = binDir;
    if (dir === undefined) throw new Error(`CIFAR-10 is missing (${DATA_NOTE})`);
    const cli = await train.runExperiment({ setup, steps, evalFreq, batchSize, backend: 'native', dataDir: dir, out: join(out, setup) });

    const bytes = BATCH_FILES.map((name) => new Uint8Array(readFileSync(join(dir, name))));
    const cifar = data.cifar10FromBytes({ train: bytes.slice(0, 5), test: bytes[5]! });
    const { lr } = train.getSetup(setup).defaults;
    const { session } = createRun(cifar, { setup, steps, evalFreq, batchSize, lr }, getBackend('native'));
    const records: train.EvalRecord[] = [];
    while (!session.done) {
      session.trainStep();
      if (!session.evaluationDue) continue;
      // Chunked, as the worker evaluates.
      const evaluation = session.evaluation();
      let record: train.EvalRecord | undefined;
      while (record === undefined) record = evaluation.next();
      records.push(record);
    }
    expect(records).toEqual(cli.evals);
  });
});
