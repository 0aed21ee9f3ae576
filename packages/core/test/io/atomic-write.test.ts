import fs, { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { ArgumentError, DlpError } from '../../src/errors.js';
import { JsonLinesWriter, writeFileAtomic, writeFileAtomicSync } from '../../src/io/atomic-write.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dlp-atomic-'));
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

function errnoError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: simulated failure`), { code });
}

/**
 * Makes the next fs.promises.open of a temp file return a handle that fails at `stage`:
 * 'write' writes the first half of the bytes and then fails (disk full), 'sync' fails at fsync.
 */
function failNextTempHandle(stage: 'write' | 'sync'): void {
  const promises = fs.promises;
  const realOpen = promises.open.bind(promises);
  vi.spyOn(promises, 'open').mockImplementationOnce(async (path, flags, mode) => {
    const handle = await realOpen(path, flags, mode);
    return new Proxy(handle, {
      get(target, key) {
        if (key === 'writeFile' && stage === 'write') {
          return async (data: Uint8Array) => {
            await target.write(data, 0, Math.floor(data.byteLength / 2));
            throw errnoError('ENOSPC');
          };
        }
        if (key === 'sync' && stage === 'sync') return async () => Promise.reject(errnoError('EIO'));
        const value = Reflect.get(target, key, target) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  });
}

describe('writeFileAtomic', () => {
  it('creates and replaces files from strings and bytes, leaving no temp file', async () => {
    const target = join(dir, 'a.json');
    await writeFileAtomic(target, '{"v":1}');
    expect(readFileSync(target, 'utf8')).toBe('{"v":1}');
    await writeFileAtomic(target, new Uint8Array([1, 2, 3]));
    expect([...readFileSync(target)]).toEqual([1, 2, 3]);
    await writeFileAtomic(target, '');
    expect(readFileSync(target).byteLength).toBe(0);
    expect(readdirSync(dir)).toEqual(['a.json']);
  });

  it('writes a Uint8Array view (non-zero byteOffset) exactly', async () => {
    const target = join(dir, 'view.bin');
    const backing = new Uint8Array([9, 9, 1, 2, 3, 9]);
    await writeFileAtomic(target, backing.subarray(2, 5));
    expect([...readFileSync(target)]).toEqual([1, 2, 3]);
  });

  it.each(['write', 'sync'] as const)('keeps the old content when the %s step fails midway, and removes the temp file', async (stage) => {
    const target = join(dir, 'model.safetensors');
    writeFileSync(target, 'old content');
    failNextTempHandle(stage);
    const error = await writeFileAtomic(target, 'x'.repeat(10_000)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DlpError);
    expect((error as Error).message).toContain(target);
    expect((error as Error).message).toContain(stage === 'write' ? 'ENOSPC' : 'EIO');
    expect(readFileSync(target, 'utf8')).toBe('old content');
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
  });

  it('keeps the old content when the rename fails, and removes the temp file', async () => {
    const target = join(dir, 'config.json');
    writeFileSync(target, 'old');
    vi.spyOn(fs.promises, 'rename').mockRejectedValueOnce(errnoError('EXDEV'));
    await expect(writeFileAtomic(target, 'new')).rejects.toThrow(/cannot write .*config\.json: EXDEV/);
    expect(readFileSync(target, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['config.json']);
  });

  it('fails cleanly when the target is a directory (rename refused) without leaving a temp file', async () => {
    const target = join(dir, 'taken');
    mkdirSync(target);
    writeFileSync(join(target, 'inside'), 'keep');
    await expect(writeFileAtomic(target, 'data')).rejects.toBeInstanceOf(DlpError);
    expect(readdirSync(dir)).toEqual(['taken']);
    expect(readFileSync(join(target, 'inside'), 'utf8')).toBe('keep');
  });

  it('fails with a DlpError naming the path when the folder does not exist', async () => {
    const target = join(dir, 'missing', 'metrics.jsonl');
    await expect(writeFileAtomic(target, 'x')).rejects.toThrow(/cannot write .*missing\/metrics\.jsonl: ENOENT/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('rejects data that is neither a string nor bytes', async () => {
    await expect(writeFileAtomic(join(dir, 'x'), 42 as unknown as string)).rejects.toBeInstanceOf(ArgumentError);
  });
});

describe('writeFileAtomicSync', () => {
  it('writes and replaces', () => {
    const target = join(dir, 'a.txt');
    writeFileAtomicSync(target, 'one');
    writeFileAtomicSync(target, 'two');
    expect(readFileSync(target, 'utf8')).toBe('two');
    expect(readdirSync(dir)).toEqual(['a.txt']);
  });

  it('keeps the old content when a write fails midway, and removes the temp file', () => {
    const target = join(dir, 'a.txt');
    writeFileSync(target, 'old');
    const realWrite = fs.writeSync.bind(fs) as (fd: number, b: Uint8Array, o: number, l: number) => number;
    vi.spyOn(fs, 'writeSync').mockImplementationOnce(((fd: number, buffer: Uint8Array, offset: number, length: number) => {
      realWrite(fd, buffer, offset, Math.floor(length / 2));
      throw errnoError('ENOSPC');
    }) as unknown as typeof fs.writeSync);
    expect(() => writeFileAtomicSync(target, 'y'.repeat(1000))).toThrow(/cannot write .*a\.txt: ENOSPC/);
    expect(readFileSync(target, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['a.txt']);
  });
});

describe('JsonLinesWriter', () => {
  it('writes one JSON value per line, in order', async () => {
    const path = join(dir, 'metrics.jsonl');
    const writer = new JsonLinesWriter(path);
    await writer.append({ event: 'eval', step: 0, loss: 2.3 });
    await writer.append({ event: 'eval', step: 100, loss: 1.9, note: 'multi\nline' });
    const text = readFileSync(path, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([
      { event: 'eval', step: 0, loss: 2.3 },
      { event: 'eval', step: 100, loss: 1.9, note: 'multi\nline' },
    ]);
    expect(writer.lines).toEqual(lines);
  });

  it('create() replaces a stale file from an earlier run with an empty one', async () => {
    const path = join(dir, 'metrics.jsonl');
    writeFileSync(path, '{"old":true}\n');
    const writer = await JsonLinesWriter.create(path);
    expect(readFileSync(path, 'utf8')).toBe('');
    await writer.append({ fresh: 1 });
    expect(readFileSync(path, 'utf8')).toBe('{"fresh":1}\n');
  });

  it('keeps appends issued without awaiting in order', async () => {
    const path = join(dir, 'm.jsonl');
    const writer = new JsonLinesWriter(path);
    const pending = Array.from({ length: 20 }, (_, i) => writer.append({ i }));
    await Promise.all(pending);
    await writer.flush();
    const got = readFileSync(path, 'utf8').trimEnd().split('\n').map((l) => (JSON.parse(l) as { i: number }).i);
    expect(got).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('leaves the file as it was when an append fails, and carries on after', async () => {
    const path = join(dir, 'm.jsonl');
    const writer = new JsonLinesWriter(path);
    await writer.append({ i: 1 });
    await writer.append({ i: 2 });
    failNextTempHandle('write');
    await expect(writer.append({ i: 3 })).rejects.toThrow(/ENOSPC/);
    expect(readFileSync(path, 'utf8')).toBe('{"i":1}\n{"i":2}\n');
    await writer.append({ i: 4 });
    expect(readFileSync(path, 'utf8')).toBe('{"i":1}\n{"i":2}\n{"i":4}\n');
    expect(writer.lines).toEqual(['{"i":1}', '{"i":2}', '{"i":4}']);
    expect(readdirSync(dir)).toEqual(['m.jsonl']);
  });

  it('rejects values without a JSON form, and writes NaN as null', async () => {
    const writer = new JsonLinesWriter(join(dir, 'm.jsonl'));
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(writer.append(undefined)).rejects.toBeInstanceOf(ArgumentError);
    await expect(writer.append({ n: 1n })).rejects.toBeInstanceOf(ArgumentError);
    await expect(writer.append(cyclic)).rejects.toBeInstanceOf(ArgumentError);
    await writer.append({ loss: Number.NaN });
    expect(writer.lines).toEqual(['{"loss":null}']);
  });

  it('never shows a concurrent reader a partial line', async () => {
    const path = join(dir, 'metrics.jsonl');
    const writer = await JsonLinesWriter.create(path);
    const stop = new Int32Array(new SharedArrayBuffer(4));
    // A reader on another thread reads the file as fast as it can while the main thread appends.
    const reader = new Worker(
      `
      const { readFileSync } = require('node:fs');
      const { workerData, parentPort } = require('node:worker_threads');
      const stop = new Int32Array(workerData.stop);
      let reads = 0, last = 0, bad = [];
      while (Atomics.load(stop, 0) === 0 || reads === 0) {
        const text = readFileSync(workerData.path, 'utf8');
        reads++;
        if (text.length > 0 && !text.endsWith('\\n')) { bad.push('no final newline at ' + text.length); continue; }
        const lines = text.length === 0 ? [] : text.slice(0, -1).split('\\n');
        lines.forEach((line, k) => {
          try { if (JSON.parse(line).i !== k) bad.push('line ' + k + ' out of order'); }
          catch { bad.push('unparsable line ' + k); }
        });
        if (lines.length < last) bad.push('went back from ' + last + ' to ' + lines.length + ' lines');
        last = lines.length;
        if (bad.length > 5) break;
      }
      parentPort.postMessage({ reads, last, bad });
      `,
      { eval: true, workerData: { path, stop: stop.buffer } },
    );
    const result = new Promise<{ reads: number; last: number; bad: string[] }>((resolve, reject) => {
      reader.once('message', resolve);
      reader.once('error', reject);
    });
    const lines = 150;
    for (let i = 0; i < lines; i++) await writer.append({ i, pad: 'x'.repeat(2000) });
    Atomics.store(stop, 0, 1);
    const { reads, bad } = await result;
    await reader.terminate();
    expect(bad).toEqual([]);
    expect(reads).toBeGreaterThan(0);
    expect(readFileSync(path, 'utf8').trimEnd().split('\n')).toHaveLength(lines);
  });
});
