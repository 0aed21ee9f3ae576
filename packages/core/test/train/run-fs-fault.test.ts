/**
 * When the run folder fails under a running experiment (a disk that fills, a folder that goes),
 * runExperiment rejects with the FIRST failure — metrics.jsonl at the evaluation — and not with
 * the plots that its cleanup then fails to write in the same folder.
 */

import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { train } from '../../src/index.js';
import { data, tempDir } from './resume-support.js';

describe('runExperiment under a failing file system', () => {
  it('reports metrics.jsonl (the first failure), not loss.png (the cleanup)', async () => {
    const out = tempDir('fs-fault');
    const error = await train
      .runExperiment({
        setup: 'tiny-resume',
        backend: 'js',
        data,
        out,
        steps: 4,
        evalFreq: 2,
        // The folder goes once the run has started: every later write in it fails with ENOENT,
        // the metrics at the first evaluation and then the plots written on the way out.
        onStart: ({ runDir }) => rmSync(runDir.dir, { recursive: true, force: true }),
      })
      .then(() => new Error('the run did not fail'), (e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toMatch(/^cannot write \S+metrics\.jsonl: ENOENT \(no such file or directory\)$/);
    expect(error.message).not.toMatch(/loss\.png|accuracy\.png/);
  });
});
