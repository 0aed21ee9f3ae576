import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataError } from '../../src/errors.js';
import { loadCifar10 } from '../../src/data/cifar10.js';
import {
  cifar10CacheDir,
  createProgressReporter,
  formatProgress,
  resolveCifar10,
} from '../../src/data/resolve.js';
import { ALL_FILES, cifarArchive, labelOf, tempDir, writeCifar } from './helpers.js';

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups) await c();
  cleanups = [];
});
function temp(): string {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  return dir;
}

/** A server on 127.0.0.1 (free port) answering every request with `handler`; counts requests. */
async function serve(
  handler: (res: ServerResponse) => void,
): Promise<{ url: string; requests: () => number }> {
  let requests = 0;
  const server: Server = createServer((_req, res) => {
    requests++;
    handler(res);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  cleanups.push(() => new Promise<void>((done) => server.close(() => done())));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/cifar-10-binary.tar.gz`, requests: () => requests };
}

/** A URL on a port nothing listens on (taken from a server that was closed again). */
async function refusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return `http://127.0.0.1:${port}/cifar-10-binary.tar.gz`;
}

const md5 = (bytes: Uint8Array): string => createHash('md5').update(bytes).digest('hex');

/** Every file under `dir`, as paths relative to it. */
function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

describe('cifar10CacheDir', () => {
  it('prefers DLP_CACHE_DIR, then XDG_CACHE_HOME/dlp, then ~/.cache/dlp', () => {
    expect(cifar10CacheDir({ DLP_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x' }, '/h')).toBe(
      resolve('/c/cifar-10'),
    );
    expect(cifar10CacheDir({ XDG_CACHE_HOME: '/x' }, '/h')).toBe(resolve('/x/dlp/cifar-10'));
    expect(cifar10CacheDir({ XDG_CACHE_HOME: '' }, '/h')).toBe(resolve('/h/.cache/dlp/cifar-10'));
  });
});

describe('resolveCifar10 without download', () => {
  it('uses an explicit directory first, then DLP_DATA_DIR', async () => {
    const a = temp();
    const b = temp();
    writeCifar(a, { records: 1 });
    writeCifar(b, { records: 1, nested: true });
    const env = { DLP_DATA_DIR: b, DLP_CACHE_DIR: temp() };
    expect((await resolveCifar10({ dataDir: a, env })).dir).toBe(a);
    expect((await resolveCifar10({ env })).dir).toBe(join(b, 'cifar-10-batches-bin'));
  });

  it('never downloads into an explicit directory or DLP_DATA_DIR that lacks the files', async () => {
    const server = await serve((res) => res.end(cifarArchive(1)));
    const empty = temp();
    const env = { DLP_CACHE_DIR: temp() };
    await expect(resolveCifar10({ dataDir: empty, env, url: server.url })).rejects.toThrow(
      new RegExp(
        `CIFAR-10 files missing: ${join(empty, 'data_batch_1.bin')}.*\\(directory from --data-dir\\)$`,
      ),
    );
    await expect(
      resolveCifar10({ env: { ...env, DLP_DATA_DIR: empty }, url: server.url }),
    ).rejects.toThrow(/\(directory from DLP_DATA_DIR\)$/);
    expect(server.requests()).toBe(0);
    expect(listFiles(empty)).toEqual([]);
  });

  it('uses a filled cache without a request, and refuses an empty one when download is off', async () => {
    const server = await serve((res) => res.end(cifarArchive(1)));
    const cacheRoot = temp();
    const env = { DLP_CACHE_DIR: cacheRoot };
    await expect(resolveCifar10({ env, url: server.url, download: false })).rejects.toThrow(
      DataError,
    );
    writeCifar(join(cacheRoot, 'cifar-10'), { records: 1, nested: true });
    const files = await resolveCifar10({ env, url: server.url });
    expect(files.dir).toBe(join(cacheRoot, 'cifar-10', 'cifar-10-batches-bin'));
    expect(server.requests()).toBe(0);
  });
});

describe('resolveCifar10 downloading into the cache', () => {
  it('downloads, checks the md5, unpacks atomically and reports progress', async () => {
    const archive = cifarArchive(2);
    const server = await serve((res) => {
      res.writeHead(200, { 'content-length': archive.length });
      // Two writes, so progress has an intermediate point.
      res.write(archive.subarray(0, 1000));
      setTimeout(() => res.end(archive.subarray(1000)), 20);
    });
    const cacheRoot = temp();
    const progress: [number, number | undefined][] = [];
    const files = await resolveCifar10({
      env: { DLP_CACHE_DIR: cacheRoot },
      url: server.url,
      md5: md5(archive),
      onProgress: (done, total) => progress.push([done, total]),
    });
    const cache = join(cacheRoot, 'cifar-10');
    expect(files.dir).toBe(join(cache, 'cifar-10-batches-bin'));
    // Only the final names remain: no archive, no temp files.
    expect(listFiles(cache)).toEqual(
      [...ALL_FILES, 'batches.meta.txt'].map((f) => join('cifar-10-batches-bin', f)).sort(),
    );
    expect(progress[0]).toEqual([0, archive.length]);
    expect(progress.at(-1)).toEqual([archive.length, archive.length]);
    expect(progress.some(([done]) => done > 0 && done < archive.length)).toBe(true);
    const data = await loadCifar10(files.dir, { expectedRecords: 2 });
    expect(data.train.length).toBe(10);
    expect(data.test.labels[1]).toBe(labelOf(5, 1));
    expect(data.classNames[9]).toBe('c9');
    // A second resolve finds the files and does not download again.
    await resolveCifar10({ env: { DLP_CACHE_DIR: cacheRoot }, url: server.url, md5: md5(archive) });
    expect(server.requests()).toBe(1);
  });

  it('refuses an archive whose md5 differs and leaves nothing behind', async () => {
    const archive = cifarArchive(1);
    const server = await serve((res) => res.end(archive));
    const cacheRoot = temp();
    const wrong = '0123456789abcdef0123456789abcdef';
    const err = await resolveCifar10({
      env: { DLP_CACHE_DIR: cacheRoot },
      url: server.url,
      md5: wrong,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toContain(
      `Downloaded ${server.url} has md5 ${md5(archive)}, expected ${wrong}`,
    );
    expect((err as Error).message).toContain('was discarded');
    expect(listFiles(cacheRoot)).toEqual([]);
  });

  it('explains a refused connection: the cause, the folder to fill by hand, and the alternatives', async () => {
    const url = await refusedUrl();
    const cacheRoot = temp();
    const err = await resolveCifar10({ env: { DLP_CACHE_DIR: cacheRoot }, url }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DataError);
    const message = (err as Error).message;
    expect(message).toMatch(
      new RegExp(
        `^Downloading CIFAR-10 from ${url.replace(/[.]/g, '\\.')} failed \\(.*ECONNREFUSED`,
      ),
    );
    expect(message).toContain(`in ${join(cacheRoot, 'cifar-10', 'cifar-10-batches-bin')}`);
    expect(message).toContain('--data-dir DIR');
    expect(message).toContain('DLP_DATA_DIR=DIR');
    expect(message).not.toContain('\n');
    expect(listFiles(cacheRoot)).toEqual([]);
  });

  it('reports an HTTP error status', async () => {
    const server = await serve((res) => {
      res.statusCode = 404;
      res.end('not here');
    });
    await expect(
      resolveCifar10({ env: { DLP_CACHE_DIR: temp() }, url: server.url }),
    ).rejects.toThrow(/failed \(HTTP 404 Not Found\)/);
  });

  it('refuses a connection closed before the announced length, leaving nothing behind', async () => {
    const archive = cifarArchive(1);
    const server = await serve((res) => {
      res.writeHead(200, { 'content-length': archive.length });
      res.write(archive.subarray(0, 500));
      setTimeout(() => res.destroy(), 20);
    });
    const cacheRoot = temp();
    await expect(
      resolveCifar10({ env: { DLP_CACHE_DIR: cacheRoot }, url: server.url, md5: md5(archive) }),
    ).rejects.toThrow(DataError);
    expect(listFiles(cacheRoot)).toEqual([]);
  });

  it('refuses a corrupt archive (truncated gzip) even with a matching md5, leaving nothing', async () => {
    const full = cifarArchive(2);
    const archive = full.subarray(0, Math.floor(full.length / 2));
    const server = await serve((res) => res.end(archive));
    const cacheRoot = temp();
    await expect(
      resolveCifar10({ env: { DLP_CACHE_DIR: cacheRoot }, url: server.url, md5: md5(archive) }),
    ).rejects.toThrow(new RegExp(`^Unpacking ${server.url.replace(/[.]/g, '\\.')} failed \\(`));
    expect(listFiles(cacheRoot)).toEqual([]);
  });

  it('refuses an archive that lacks a batch file, renaming nothing', async () => {
    const archive = cifarArchive(1, ['test_batch.bin']);
    const server = await serve((res) => res.end(archive));
    const cacheRoot = temp();
    const cache = join(cacheRoot, 'cifar-10');
    await expect(
      resolveCifar10({ env: { DLP_CACHE_DIR: cacheRoot }, url: server.url, md5: md5(archive) }),
    ).rejects.toThrow(
      `${server.url} does not contain ${join(cache, 'cifar-10-batches-bin', 'test_batch.bin')}`,
    );
    expect(listFiles(cacheRoot)).toEqual([]);
  });
});

describe('progress reporting', () => {
  it('formats a bar with MB done/total and percent', () => {
    expect(formatProgress(50_000_000, 200_000_000, 8)).toBe('[##......] 50.0/200.0 MB 25%');
    expect(formatProgress(200_000_000, 200_000_000, 4)).toBe('[####] 200.0/200.0 MB 100%');
    expect(formatProgress(1_234_567, undefined)).toBe('1.2 MB');
  });

  it('writes one line per 10 % when not on a terminal', () => {
    let text = '';
    const report = createProgressReporter({
      stream: { write: (t: string) => (text += t) },
      label: 'DL',
      width: 4,
    });
    for (let done = 0; done <= 1000; done += 25) report(done, 1000);
    report(1000, 1000);
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(11);
    expect(lines[0]).toBe('DL [....] 0.0/0.0 MB 0%');
    expect(lines.at(-1)).toBe('DL [####] 0.0/0.0 MB 100%');
  });

  it('redraws in place on a terminal and ends the line when done', () => {
    let text = '';
    const report = createProgressReporter({
      stream: { write: (t: string) => (text += t), isTTY: true },
      intervalMs: 0,
    });
    report(0, 2_000_000);
    report(1_000_000, 2_000_000);
    report(2_000_000, 2_000_000);
    expect(text.split('\r')).toHaveLength(4);
    expect(text).toContain('1.0/2.0 MB 50%');
    expect(text.endsWith('100%\u001b[K\n')).toBe(true);
  });
});
