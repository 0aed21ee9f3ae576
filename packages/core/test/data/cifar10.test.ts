import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ArgumentError, DataError } from '../../src/errors.js';
import { CIFAR10_CLASS_NAMES } from '../../src/data/cifar10-format.js';
import { Cifar10Split, loadCifar10, locateCifar10 } from '../../src/data/cifar10.js';
import { computeMeanImage } from '../../src/data/preprocess.js';
import { IMAGE, RECORD, TRAIN_FILES, labelOf, pixelOf, tempDir, writeCifar } from './helpers.js';

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});
function temp(): string {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  return dir;
}

describe('locateCifar10', () => {
  it('accepts the archive layout (dir/cifar-10-batches-bin/)', () => {
    const dir = temp();
    const inner = writeCifar(dir, { records: 2, nested: true });
    const files = locateCifar10(dir);
    expect(files.dir).toBe(inner);
    expect(files.train).toEqual(TRAIN_FILES.map((f) => join(inner, f)));
    expect(files.test).toBe(join(inner, 'test_batch.bin'));
    expect(files.meta).toBeUndefined();
  });

  it('accepts the .bin files directly in dir', () => {
    const dir = temp();
    writeCifar(dir, { records: 2, meta: 'a\n' });
    const files = locateCifar10(dir);
    expect(files.dir).toBe(dir);
    expect(files.meta).toBe(join(dir, 'batches.meta.txt'));
  });

  it('names every missing file and says what to put there', () => {
    const dir = temp();
    writeCifar(dir, { records: 2, skip: ['data_batch_4.bin', 'test_batch.bin'] });
    const run = (): unknown => locateCifar10(dir);
    expect(run).toThrow(DataError);
    expect(run).toThrow(
      `missing: ${join(dir, 'data_batch_4.bin')}, ${join(dir, 'test_batch.bin')}.`,
    );
    expect(run).toThrow(/Put data_batch_1\.bin … data_batch_5\.bin and test_batch\.bin/);
    expect(run).toThrow(`(or in ${join(dir, 'cifar-10-batches-bin')})`);
  });

  it('reports missing files inside cifar-10-batches-bin when that folder exists', () => {
    const dir = temp();
    writeCifar(dir, { records: 2, nested: true, skip: ['data_batch_2.bin'] });
    expect(() => locateCifar10(dir)).toThrow(
      `missing: ${join(dir, 'cifar-10-batches-bin', 'data_batch_2.bin')}.`,
    );
  });

  it('falls back to the files in dir when cifar-10-batches-bin/ is incomplete', () => {
    const dir = temp();
    writeCifar(dir, { records: 1, nested: true, skip: ['test_batch.bin'] });
    writeCifar(dir, { records: 1 });
    expect(locateCifar10(dir).dir).toBe(dir);
  });

  it('says when the directory does not exist', () => {
    const dir = join(temp(), 'absent');
    expect(() => locateCifar10(dir)).toThrow(`CIFAR-10 directory ${dir} does not exist`);
  });
});

describe('loadCifar10', () => {
  it.each([true, false])('loads both splits in file order (nested layout: %s)', async (nested) => {
    const dir = temp();
    writeCifar(dir, { records: 3, nested });
    const data = await loadCifar10(dir, { expectedRecords: 3 });
    expect(data.train.length).toBe(15);
    expect(data.test.length).toBe(3);
    // Training record k·3 + r comes from file k, record r; the test split is file 5.
    for (let k = 0; k < 5; k++) {
      for (let r = 0; r < 3; r++) {
        const i = k * 3 + r;
        expect(data.train.labels[i]).toBe(labelOf(k, r));
        expect(data.train.image(i)[0]).toBe(pixelOf(k, r, 0));
        expect(data.train.image(i)[IMAGE - 1]).toBe(pixelOf(k, r, IMAGE - 1));
      }
    }
    expect(Array.from(data.test.labels)).toEqual([0, 1, 2].map((r) => labelOf(5, r)));
    expect(data.test.image(2)[1500]).toBe(pixelOf(5, 2, 1500));
    expect(data.classNames).toEqual(CIFAR10_CLASS_NAMES);
    expect(Array.from(data.mean)).toEqual(Array.from(computeMeanImage(data.train.pixels)));
  });

  it('reads class names from batches.meta.txt', async () => {
    const dir = temp();
    const names = Array.from({ length: 10 }, (_, i) => `class${i}`);
    writeCifar(dir, { records: 1, meta: `${names.join('\n')}\n\n` });
    expect((await loadCifar10(dir, { expectedRecords: 1 })).classNames).toEqual(names);
  });

  it('refuses a batches.meta.txt without ten names', async () => {
    const dir = temp();
    writeCifar(dir, { records: 1, meta: 'a\nb\n' });
    await expect(loadCifar10(dir, { expectedRecords: 1 })).rejects.toThrow(
      `${join(dir, 'batches.meta.txt')} lists 2 class names, expected 10`,
    );
  });

  it('refuses a truncated training file, naming it', async () => {
    const dir = temp();
    writeCifar(dir, { records: 2 });
    const file = join(dir, 'data_batch_3.bin');
    writeFileSync(file, new Uint8Array(RECORD + 7));
    await expect(loadCifar10(dir, { expectedRecords: 2 })).rejects.toThrow(
      `${file} is truncated: ${RECORD + 7} bytes, expected ${2 * RECORD} (2 records of ${RECORD} bytes)`,
    );
  });

  it('refuses a label of 10 in the test file, naming file and record', async () => {
    const dir = temp();
    writeCifar(dir, { records: 2 });
    const bytes = new Uint8Array(2 * RECORD);
    bytes[RECORD] = 10;
    writeFileSync(join(dir, 'test_batch.bin'), bytes);
    await expect(loadCifar10(dir, { expectedRecords: 2 })).rejects.toThrow(
      new DataError(`${join(dir, 'test_batch.bin')}: record 1 has label 10, expected 0..9`),
    );
  });

  it('refuses a missing file before reading anything', async () => {
    const dir = temp();
    writeCifar(dir, { records: 2, skip: ['data_batch_5.bin'] });
    await expect(loadCifar10(dir, { expectedRecords: 2 })).rejects.toThrow(
      join(dir, 'data_batch_5.bin'),
    );
  });
});

describe('Cifar10Split', () => {
  it('checks pixels against labels and counts classes', () => {
    expect(() => new Cifar10Split(new Uint8Array(2), new Uint8Array(IMAGE))).toThrow(ArgumentError);
    const split = new Cifar10Split(Uint8Array.of(3, 3, 9), new Uint8Array(3 * IMAGE));
    expect(Array.from(split.classCounts())).toEqual([0, 0, 0, 2, 0, 0, 0, 0, 0, 1]);
    expect(() => split.image(3)).toThrow(ArgumentError);
  });
});
