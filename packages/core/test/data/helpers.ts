/**
 * Test helpers for the data layer: synthetic CIFAR-10 batch files and a hand-built tar.gz,
 * so every test knows exactly which bytes it wrote.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export const IMAGE = 3072;
export const RECORD = 3073;
export const TRAIN_FILES = [1, 2, 3, 4, 5].map((k) => `data_batch_${k}.bin`);
export const TEST_FILE = 'test_batch.bin';
export const ALL_FILES = [...TRAIN_FILES, TEST_FILE];

/** Label of record r of file f (f = 0..4 train, 5 test): varies over files and records. */
export function labelOf(f: number, r: number): number {
  return (3 * f + r) % 10;
}

/** Pixel j of record r of file f: every byte of every image is distinct in its pattern. */
export function pixelOf(f: number, r: number, j: number): number {
  return (f * 31 + r * 17 + j * 7 + (j >> 8)) % 256;
}

/** The bytes of a batch file of `records` records, file number f. */
export function batchBytes(f: number, records: number): Uint8Array {
  const bytes = new Uint8Array(records * RECORD);
  for (let r = 0; r < records; r++) {
    bytes[r * RECORD] = labelOf(f, r);
    for (let j = 0; j < IMAGE; j++) bytes[r * RECORD + 1 + j] = pixelOf(f, r, j);
  }
  return bytes;
}

/** A fresh temp directory, removed by the returned cleanup. */
export function tempDir(prefix = 'dlp-data-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Writes the six batch files (`records` each) into `dir`, or into `dir/cifar-10-batches-bin`
 * when `nested`. Returns the folder that holds the files.
 */
export function writeCifar(
  dir: string,
  options: { records: number; nested?: boolean; meta?: string; skip?: string[] },
): string {
  const target = options.nested === true ? join(dir, 'cifar-10-batches-bin') : dir;
  mkdirSync(target, { recursive: true });
  ALL_FILES.forEach((name, f) => {
    if (options.skip?.includes(name)) return;
    writeFileSync(join(target, name), batchBytes(f, options.records));
  });
  if (options.meta !== undefined) writeFileSync(join(target, 'batches.meta.txt'), options.meta);
  return target;
}

/** A 512-byte ustar header, written field by field as POSIX specifies. */
export function tarHeader(name: string, size: number, type = '0'): Uint8Array {
  const h = new Uint8Array(512);
  const put = (text: string, at: number): void => {
    for (let i = 0; i < text.length; i++) h[at + i] = text.charCodeAt(i);
  };
  const octal = (value: number, width: number): string =>
    value.toString(8).padStart(width - 1, '0');
  put(name, 0);
  put(octal(0o644, 8), 100); // mode
  put(octal(0, 8), 108); // uid
  put(octal(0, 8), 116); // gid
  put(octal(size, 12), 124);
  put(octal(0, 12), 136); // mtime
  put('        ', 148); // checksum field counts as spaces while summing
  put(type, 156);
  put('ustar\u0000', 257);
  put('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  put(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148);
  return h;
}

/** One member of a test archive; `type` is the tar typeflag (default '0', '5' when `dir`). */
export interface TarTestEntry {
  name: string;
  data?: Uint8Array;
  dir?: boolean;
  type?: string;
}

/** A tar archive of the given entries (data padded to 512), with the two zero end blocks. */
export function buildTar(entries: TarTestEntry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const e of entries) {
    const data = e.data ?? new Uint8Array(0);
    parts.push(tarHeader(e.name, data.length, e.type ?? (e.dir === true ? '5' : '0')));
    parts.push(data);
    parts.push(new Uint8Array((512 - (data.length % 512)) % 512));
  }
  parts.push(new Uint8Array(1024));
  return Buffer.concat(parts);
}

/** A gzip'd tar laid out like cifar-10-binary.tar.gz, with `records` records per file. */
export function cifarArchive(records: number, skip: string[] = []): Uint8Array {
  const entries: TarTestEntry[] = [{ name: 'cifar-10-batches-bin/', dir: true }];
  ALL_FILES.forEach((name, f) => {
    if (!skip.includes(name))
      entries.push({ name: `cifar-10-batches-bin/${name}`, data: batchBytes(f, records) });
  });
  entries.push({
    name: 'cifar-10-batches-bin/batches.meta.txt',
    data: new TextEncoder().encode('c0\nc1\nc2\nc3\nc4\nc5\nc6\nc7\nc8\nc9\n'),
  });
  return gzipSync(buildTar(entries));
}
