// CIFAR-10 from bytes in memory (what a browser page has): the same splits, class names and mean
// as loadCifar10 reads from disk, and a DataError naming the file for a wrong size or label.
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/errors.js';
import { cifar10FromBytes } from '../../src/data/cifar10-bytes.js';
import { loadCifar10 } from '../../src/data/cifar10.js';
import { batchBytes, tempDir, writeCifar } from './helpers.js';

const RECORDS = 4;
const files = () => ({ train: [0, 1, 2, 3, 4].map((f) => batchBytes(f, RECORDS)), test: batchBytes(5, RECORDS) });

describe('cifar10FromBytes', () => {
  it('decodes what loadCifar10 reads from the same files', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const fromDisk = await loadCifar10(writeCifar(dir, { records: RECORDS, meta: 'a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n' }), { expectedRecords: RECORDS });
      const fromBytes = cifar10FromBytes({ ...files(), meta: 'a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n', source: '/data/' }, { expectedRecords: RECORDS });
      expect(fromBytes.dir).toBe('/data/');
      expect(fromBytes.train.length).toBe(5 * RECORDS);
      expect(fromBytes.train.labels).toEqual(fromDisk.train.labels);
      expect(fromBytes.train.pixels).toEqual(fromDisk.train.pixels);
      expect(fromBytes.test.labels).toEqual(fromDisk.test.labels);
      expect(fromBytes.test.pixels).toEqual(fromDisk.test.pixels);
      expect(fromBytes.mean).toEqual(fromDisk.mean);
      expect(fromBytes.classNames).toEqual(fromDisk.classNames);
    } finally {
      cleanup();
    }
  });

  it('names the file of a wrong size, and refuses a wrong file count or class list', () => {
    const short = files();
    short.train[2] = short.train[2]!.subarray(0, 3073 * RECORDS - 1);
    expect(() => cifar10FromBytes({ ...short, source: 'picked files' }, { expectedRecords: RECORDS })).toThrow(DataError);
    expect(() => cifar10FromBytes({ ...short, source: 'picked files' }, { expectedRecords: RECORDS })).toThrow(/picked files: data_batch_3\.bin/);
    expect(() => cifar10FromBytes({ ...files(), train: files().train.slice(0, 4) }, { expectedRecords: RECORDS })).toThrow(/expected 5 training files/);
    expect(() => cifar10FromBytes({ ...files(), meta: 'cat\ndog\n' }, { expectedRecords: RECORDS })).toThrow(/lists 2 class names, expected 10/);
    const badLabel = files();
    badLabel.test = Uint8Array.from(badLabel.test);
    badLabel.test[0] = 10;
    expect(() => cifar10FromBytes(badLabel, { expectedRecords: RECORDS })).toThrow(DataError);
  });
});
