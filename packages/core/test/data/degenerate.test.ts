/**
 * Degenerate data sets (every label one class, every image all zeros) are found, and
 * runExperiment refuses one before writing anything unless allowDegenerateData is given.
 */

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { data as dataApi, train } from '../../src/index.js';
import { DataError } from '../../src/errors.js';
import { cifar10FromBytes } from '../../src/data/cifar10-bytes.js';
import { batchBytes, RECORD } from './helpers.js';
import '../train/resume-support.js'; // registers the tiny setup 'tiny-resume'

const RECORDS = 8;
const root = mkdtempSync(join(tmpdir(), 'dlp-degenerate-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The synthetic set, with every record's label and/or pixels overwritten. */
function synthetic(change: { label?: number; zeroPixels?: boolean } = {}) {
  const file = (f: number) => {
    const bytes = batchBytes(f, RECORDS);
    for (let r = 0; r < RECORDS; r++) {
      if (change.label !== undefined) bytes[r * RECORD] = change.label;
      if (change.zeroPixels === true) bytes.fill(0, r * RECORD + 1, (r + 1) * RECORD);
    }
    return bytes;
  };
  return cifar10FromBytes({ train: [0, 1, 2, 3, 4].map(file), test: file(5), source: 'synthetic' }, { expectedRecords: RECORDS });
}

describe('degenerateDataProblem', () => {
  it('passes a set with several classes and images', () => {
    expect(dataApi.degenerateDataProblem(synthetic())).toBeUndefined();
    expect(dataApi.classBalance(synthetic().train).classesPresent).toBe(10);
  });

  it('finds a set whose labels are all one class', () => {
    expect(dataApi.degenerateDataProblem(synthetic({ label: 3 }))).toBe('all 40 training labels are class 3 (cat)');
  });

  it('finds a set whose images are all zeros', () => {
    expect(dataApi.degenerateDataProblem(synthetic({ zeroPixels: true }))).toBe('all 40 training images are all zeros');
  });
});

describe('runExperiment on a degenerate set', () => {
  const run = (out: string, allowDegenerateData?: boolean) =>
    train.runExperiment({ setup: 'tiny-resume', backend: 'js', data: synthetic({ label: 0 }), out, steps: 2, evalFreq: 2, ...(allowDegenerateData ? { allowDegenerateData } : {}) });

  it('is refused with one DataError before the run folder is made', async () => {
    const out = join(root, 'refused');
    const error = await run(out).then(() => new Error('not refused'), (e: unknown) => e as Error);
    expect(error).toBeInstanceOf(DataError);
    expect(error.message).toBe('synthetic: all 40 training labels are class 0 (airplane), so nothing can be learned from it (pass --allow-degenerate-data to train anyway)');
    expect(existsSync(out)).toBe(false);
  });

  it('trains when allowDegenerateData is given', async () => {
    const result = await run(join(root, 'allowed'), true);
    expect(result.done.steps).toBe(2);
  });

  it('a resumed run keeps the permission config.json records, without the flag again', async () => {
    const out = join(root, 'allowed-resumed');
    const stop = new AbortController();
    const stopped = await train
      .runExperiment({ setup: 'tiny-resume', backend: 'js', data: synthetic({ label: 0 }), out, steps: 4, evalFreq: 2, allowDegenerateData: true, signal: stop.signal, onEval: () => stop.abort('test') })
      .then(() => undefined, (e: unknown) => e);
    expect(stopped).toBeInstanceOf(train.TrainingInterruptedError);
    const resumed = await train.runExperiment({ resume: out, data: synthetic({ label: 0 }) });
    expect(resumed.done.steps).toBe(4);
  });
});
