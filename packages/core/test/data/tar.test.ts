import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/errors.js';
import { type TarEntry, readTar } from '../../src/data/tar.js';
import { buildTar } from './helpers.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** "<length> key=value\n", where the length counts the whole record, its own digits included. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = body.length;
  while (`${length}${body}`.length !== length) length = `${length}${body}`.length;
  return `${length}${body}`;
}

/** Feeds `archive` in chunks of `chunk` bytes and collects every entry and file's data. */
async function read(
  archive: Uint8Array,
  chunk = 100,
): Promise<{ entries: TarEntry[]; files: Map<string, string> }> {
  async function* source(): AsyncIterable<Uint8Array> {
    for (let i = 0; i < archive.length; i += chunk) yield archive.subarray(i, i + chunk);
  }
  const entries: TarEntry[] = [];
  const files = new Map<string, string>();
  await readTar(
    source(),
    (entry) => {
      entries.push(entry);
      const parts: Uint8Array[] = [];
      return {
        write: (c) => void parts.push(c.slice()),
        end: () => void files.set(entry.path, Buffer.concat(parts).toString('utf8')),
      };
    },
    'test.tar',
  );
  return { entries, files };
}

describe('readTar', () => {
  it('streams regular files across chunk boundaries and reports directories', async () => {
    const big = 'x'.repeat(700) + 'end';
    for (const chunk of [1, 100, 512, 100_000]) {
      const { entries, files } = await read(
        buildTar([
          { name: 'd/', dir: true },
          { name: 'd/a.txt', data: bytes('hello') },
          { name: 'd/empty', data: new Uint8Array(0) },
          { name: 'd/big', data: bytes(big) },
        ]),
        chunk,
      );
      expect(entries.map((e) => [e.path, e.type, e.size])).toEqual([
        ['d/', 'directory', 0],
        ['d/a.txt', 'file', 5],
        ['d/empty', 'file', 0],
        ['d/big', 'file', 703],
      ]);
      expect(files.get('d/a.txt')).toBe('hello');
      expect(files.get('d/empty')).toBe('');
      expect(files.get('d/big')).toBe(big);
    }
  });

  it('applies GNU long names and pax paths to the next member', async () => {
    const long = `${'dir/'.repeat(40)}file.bin`;
    const pax = paxRecord('path', `${long}-pax`);
    const { files } = await read(
      buildTar([
        { name: '././@LongLink', type: 'L', data: bytes(`${long}\0`) },
        { name: 'truncated-name', data: bytes('one') },
        { name: 'PaxHeader', type: 'x', data: bytes(pax) },
        { name: 'short', data: bytes('two') },
        { name: 'plain', data: bytes('three') },
      ]),
    );
    expect([...files]).toEqual([
      [long, 'one'],
      [`${long}-pax`, 'two'],
      ['plain', 'three'],
    ]);
  });

  it('refuses a header with a bad checksum', async () => {
    const archive = buildTar([{ name: 'a', data: bytes('abc') }]);
    archive[0] = 'b'.charCodeAt(0);
    await expect(read(archive)).rejects.toThrow(
      new DataError('test.tar is not a valid tar archive: bad header checksum after the start'),
    );
  });

  it('refuses an archive that ends early', async () => {
    const archive = buildTar([{ name: 'a', data: bytes('x'.repeat(1000)) }]);
    await expect(read(archive.subarray(0, 900))).rejects.toThrow(
      'test.tar is truncated: the tar data ends in the middle of a',
    );
    await expect(read(archive.subarray(0, 1536))).rejects.toThrow(DataError); // no end block
  });
});
