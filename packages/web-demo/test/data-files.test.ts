// Reading the data a user picks: the six .bin files (folder extras ignored) or the official
// tar.gz through DecompressionStream and core's tar reader (Node has both, as browsers do), and
// the messages for files that are not what was expected. Small synthetic files of a few records.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readCifarArchive } from '../src/archive.js';
import { BATCH_FILES } from '../src/batch-files.js';
import { readPickedFiles } from '../src/picked-files.js';

const RECORD = 3073;
/** File f's bytes: `records` records whose bytes all equal f + 1, so each file is recognisable. */
const batch = (f: number, records = 2) => new Uint8Array(records * RECORD).fill(f + 1);
const bins = () => BATCH_FILES.map((name, f) => new File([batch(f)], name));

/** A ustar archive of the given members (what `tar cf` writes, enough for core's reader). */
function tar(members: Array<[string, Uint8Array]>): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const [path, data] of members) {
    const header = new Uint8Array(512);
    const put = (text: string, at: number) => header.set(new TextEncoder().encode(text), at);
    put(path, 0);
    put('0000644\0', 100);
    put('0000000\0', 108);
    put('0000000\0', 116);
    put(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
    put('00000000000\0', 136);
    put('        ', 148);
    put('0', 156);
    put('ustar\0', 257);
    put('00', 263);
    const sum = header.reduce((a, b) => a + b, 0);
    put(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(header, data, new Uint8Array((512 - (data.length % 512)) % 512));
  }
  blocks.push(new Uint8Array(1024));
  const out = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of blocks) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

const archive = (members: Array<[string, Uint8Array]>) => new Blob([gzipSync(tar(members))]);
const official = () => [
  ['cifar-10-batches-bin/batches.meta.txt', new TextEncoder().encode('airplane\n')] as [string, Uint8Array],
  ...BATCH_FILES.map((name, f) => [`cifar-10-batches-bin/${name}`, batch(f)] as [string, Uint8Array]),
];

describe('picked .bin files', () => {
  it('come back in cifar10FromBytes order, each owning its buffer, with progress to the total', async () => {
    const progress: number[] = [];
    const files = [...bins().reverse(), new File(['x'], 'batches.meta.txt')];
    const got = await readPickedFiles(files, (loaded, total) => progress.push(loaded / total));
    expect(got.train.map((a) => a[0])).toEqual([1, 2, 3, 4, 5]);
    expect(got.test[0]).toBe(6);
    expect([...got.train, got.test].every((a) => a.byteOffset === 0 && a.byteLength === a.buffer.byteLength)).toBe(true);
    expect(progress.at(-1)).toBe(1);
  });

  it('refuse a wrong size, a stranger and a missing file, saying what was expected', async () => {
    const none = () => undefined;
    await expect(readPickedFiles([new File([new Uint8Array(1000)], 'data_batch_2.bin')], none)).rejects.toThrow(
      'data_batch_2.bin: 1000 bytes is not a whole number of CIFAR-10 records (3073 bytes each: a label byte and 3072 pixels)',
    );
    await expect(readPickedFiles([...bins(), new File(['hi'], 'notes.txt')], none)).rejects.toThrow('notes.txt: not a CIFAR-10 batch file; expected the six');
    await expect(readPickedFiles(bins().slice(1), none)).rejects.toThrow('missing data_batch_1.bin: pick all six .bin files together');
    await expect(readPickedFiles([], none)).rejects.toThrow('no file picked');
  });
});

describe('the tar.gz archive', () => {
  it('yields the six files from cifar-10-batches-bin/, skipping the rest', async () => {
    const got = await readCifarArchive(archive(official()), 'cifar-10-binary.tar.gz', () => undefined);
    expect(got.train.map((a) => [a.length, a[0]])).toEqual([1, 2, 3, 4, 5].map((v) => [2 * RECORD, v]));
    expect(got.test[0]).toBe(6);
    // A single picked archive goes the same way.
    const picked = await readPickedFiles([new File([await archive(official()).arrayBuffer()], 'c.tgz')], () => undefined);
    expect(picked.test[RECORD]).toBe(6);
  });

  it('is refused, with what was expected, when not gzip, not tar, missing a file, or holding a wrong size', async () => {
    const expected = 'expected a gzip tar holding cifar-10-batches-bin/*.bin';
    const read = (blob: Blob) => readCifarArchive(blob, 'a.tar.gz', () => undefined);
    await expect(read(new Blob([new Uint8Array([1, 2, 3])]))).rejects.toThrow(`a.tar.gz is not gzip data: ${expected}`);
    await expect(read(new Blob([gzipSync(new Uint8Array(2048).fill(7))]))).rejects.toThrow(/a\.tar\.gz is not a valid tar archive: bad header checksum.*; expected a gzip tar/);
    await expect(read(new Blob([new Uint8Array([0x1f, 0x8b, 8, 0, 9, 9, 9])]))).rejects.toThrow(/a\.tar\.gz is not valid gzip data \(.*\): expected a gzip tar/);
    await expect(read(archive(official().slice(0, 6)))).rejects.toThrow(`a.tar.gz lacks test_batch.bin: expected the six`);
    const wrong = official();
    wrong[3] = [wrong[3]![0], new Uint8Array(5)];
    await expect(read(archive(wrong))).rejects.toThrow('a.tar.gz: cifar-10-batches-bin/data_batch_3.bin: 5 bytes is not a whole number of CIFAR-10 records');
  });
});
