/**
 * Where CIFAR-10 comes from: an explicit directory, else DLP_DATA_DIR, else a cache folder that
 * is filled from the official archive (md5-checked, files written atomically) when empty.
 */
import { ProgressLine, progressBar } from '../ui/progress-line.js';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type FileHandle, mkdir, open, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { DataError } from '../errors.js';
import {
  CIFAR10_TEST_FILE,
  CIFAR10_TRAIN_FILES,
  type Cifar10FormatOptions,
} from './cifar10-format.js';
import {
  CIFAR10_BATCHES_DIR,
  type Cifar10,
  type Cifar10Files,
  loadCifar10,
  locateCifar10,
} from './cifar10.js';
import { readTar, type TarSink } from './tar.js';

/** The official archive. */
export const CIFAR10_URL = 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz';
/** Its md5, as published. */
export const CIFAR10_MD5 = 'c32a1d4ab5d03f1284b67883e8d87530';

/**
 * Download progress: bytes received so far and the total when the server sent one. Called a
 * last time with `bytesDone === bytesTotal` when the download is complete.
 */
export type DownloadProgress = (bytesDone: number, bytesTotal: number | undefined) => void;

/** Options of {@link downloadCifar10}. */
export interface DownloadOptions {
  /** Archive URL (default: the official one). */
  url?: string;
  /** Expected md5 of the archive, hex (default: the official one's). */
  md5?: string;
  onProgress?: DownloadProgress;
  /** Give up when no data arrives for this long (default 60 000 ms). */
  idleTimeoutMs?: number;
}

/** Options of {@link resolveCifar10}. */
export interface ResolveOptions extends DownloadOptions {
  /** An explicit directory (the CLI's `--data-dir`): used as is, never downloaded into. */
  dataDir?: string;
  /** Where to read DLP_DATA_DIR, DLP_CACHE_DIR and XDG_CACHE_HOME (default process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Home directory for the default cache (default os.homedir()). */
  homeDir?: string;
  /** Allow downloading into the cache when it lacks the files (default true). */
  download?: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/**
 * The cache folder for CIFAR-10: `$DLP_CACHE_DIR/cifar-10`, else `$XDG_CACHE_HOME/dlp/cifar-10`,
 * else `~/.cache/dlp/cifar-10`. The archive extracts to `cifar-10-batches-bin/` inside it.
 */
export function cifar10CacheDir(env: Env = process.env, home: string = homedir()): string {
  const dlpCache = nonEmpty(env.DLP_CACHE_DIR);
  if (dlpCache !== undefined) return resolve(dlpCache, 'cifar-10');
  const xdg = nonEmpty(env.XDG_CACHE_HOME);
  return resolve(xdg ?? join(home, '.cache'), 'dlp', 'cifar-10');
}

/** Rethrows a locate error with where the directory came from. */
function locateFrom(dir: string, origin: string): Cifar10Files {
  try {
    return locateCifar10(dir);
  } catch (err) {
    if (err instanceof DataError) throw new DataError(`${err.message} (directory from ${origin})`);
    throw err;
  }
}

/**
 * Finds CIFAR-10: `options.dataDir`, else `DLP_DATA_DIR`, else the cache folder
 * ({@link cifar10CacheDir}), downloading the archive there first when it lacks the files.
 * An explicit directory or DLP_DATA_DIR that lacks the files is an error, never a download.
 * @throws DataError naming the directory at fault, or saying why the download failed
 */
export async function resolveCifar10(options: ResolveOptions = {}): Promise<Cifar10Files> {
  if (options.dataDir !== undefined) return locateFrom(options.dataDir, '--data-dir');
  const env = options.env ?? process.env;
  const envDir = nonEmpty(env.DLP_DATA_DIR);
  if (envDir !== undefined) return locateFrom(envDir, 'DLP_DATA_DIR');
  const cache = cifar10CacheDir(env, options.homeDir);
  try {
    return locateCifar10(cache);
  } catch (err) {
    if (!(err instanceof DataError) || options.download === false) throw err;
  }
  await downloadCifar10(cache, options);
  return locateCifar10(cache);
}

/** {@link resolveCifar10}, then {@link loadCifar10}. */
export async function openCifar10(
  options: ResolveOptions & Cifar10FormatOptions = {},
): Promise<Cifar10> {
  const files = await resolveCifar10(options);
  return loadCifar10(files.dir, options);
}

/** An error's message with its causes ("fetch failed" alone says nothing). */
function describeError(err: unknown): string {
  const parts: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    let message = e instanceof Error ? e.message : String(e);
    // Connecting to "localhost" tries IPv4 and IPv6 and fails with an AggregateError of both.
    if (e instanceof AggregateError && message === '') {
      message = e.errors.map((inner) => describeError(inner)).join('; ');
    }
    if (message !== '' && message !== 'fetch failed') parts.push(message);
    e = e instanceof Error ? e.cause : undefined;
  }
  return parts.length > 0 ? parts.join(': ') : String(err);
}

function byHandAdvice(dir: string): string {
  return (
    `To install it by hand, put data_batch_1.bin … data_batch_5.bin and test_batch.bin ` +
    `(from cifar-10-binary.tar.gz) in ${join(dir, CIFAR10_BATCHES_DIR)}, or pass --data-dir DIR ` +
    `or set DLP_DATA_DIR=DIR to a folder holding them (or holding ${CIFAR10_BATCHES_DIR}/)`
  );
}

function tempName(path: string): string {
  return `${path}.${process.pid}-${randomBytes(4).toString('hex')}.part`;
}

/** Streams `url` into `file`, returning its md5. */
async function fetchTo(url: string, file: string, options: DownloadOptions): Promise<string> {
  const idleMs = options.idleTimeoutMs ?? 60_000;
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const armTimer = (): void => {
    clearTimeout(timer);
    timer = setTimeout(
      () => controller.abort(new Error(`no data received for ${idleMs / 1000} s`)),
      idleMs,
    );
  };
  const hash = createHash('md5');
  const handle = await open(file, 'w');
  try {
    armTimer();
    const response = await fetch(url, { signal: controller.signal });
    if (!response.ok || response.body === null) {
      throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
    }
    const length = Number(response.headers.get('content-length') ?? NaN);
    const total = Number.isSafeInteger(length) && length > 0 ? length : undefined;
    let done = 0;
    options.onProgress?.(0, total);
    const reader = response.body.getReader();
    for (;;) {
      armTimer();
      const { done: finished, value } = await reader.read();
      if (finished) break;
      hash.update(value);
      await handle.write(value);
      done += value.length;
      options.onProgress?.(done, total);
    }
    if (total !== undefined && done !== total) {
      throw new Error(`connection closed after ${done} of ${total} bytes`);
    }
    if (total === undefined) options.onProgress?.(done, done);
    return hash.digest('hex');
  } finally {
    clearTimeout(timer);
    await handle.close();
  }
}

/** Unpacks the regular files directly under cifar-10-batches-bin/ to temp names in `dir`. */
async function extractTo(
  archive: string,
  dir: string,
  name: string,
  temps: Map<string, string>,
): Promise<void> {
  // The member being written when the archive turns out corrupt, closed before cleanup.
  let openMember: FileHandle | undefined;
  const onEntry = async (entry: { path: string; type: string }): Promise<TarSink | undefined> => {
    const match = /^(?:\.\/)?cifar-10-batches-bin\/([A-Za-z0-9_.-]+)$/.exec(entry.path);
    if (entry.type !== 'file' || match === null || match[1] === '.' || match[1] === '..')
      return undefined;
    const final = join(dir, CIFAR10_BATCHES_DIR, match[1]!);
    await mkdir(dirname(final), { recursive: true });
    // A name stored twice: as tar does, the later copy wins.
    const previous = temps.get(final);
    if (previous !== undefined) await rm(previous, { force: true });
    const temp = tempName(final);
    temps.set(final, temp);
    const handle = await open(temp, 'w');
    openMember = handle;
    return {
      write: async (chunk) => {
        await handle.write(chunk);
      },
      end: async () => {
        openMember = undefined;
        await handle.close();
      },
    };
  };
  try {
    await pipeline(
      createReadStream(archive),
      createGunzip({ chunkSize: 1 << 20 }),
      (source: AsyncIterable<Uint8Array>) => readTar(source, onEntry, name),
    );
  } finally {
    await openMember?.close();
  }
}

/**
 * Downloads the CIFAR-10 archive into `dir` and unpacks it to `dir/cifar-10-batches-bin/`.
 * The archive goes to a temp file, is checked against the md5, then each member is written to
 * a temp name and renamed only once all are complete: an interrupted or refused download never
 * leaves a partial file under a final name. The archive itself is deleted afterwards.
 * @throws DataError saying why it failed and where to put the files by hand
 */
export async function downloadCifar10(dir: string, options: DownloadOptions = {}): Promise<void> {
  const url = options.url ?? CIFAR10_URL;
  const md5 = (options.md5 ?? CIFAR10_MD5).toLowerCase();
  const root = resolve(dir);
  try {
    await mkdir(root, { recursive: true });
  } catch (err) {
    throw new DataError(
      `Cannot create the CIFAR-10 cache folder ${root} (${describeError(err)}). ${byHandAdvice(root)}`,
    );
  }
  const archive = tempName(join(root, 'cifar-10-binary.tar.gz'));
  const temps = new Map<string, string>();
  try {
    let actual: string;
    try {
      actual = await fetchTo(url, archive, options);
    } catch (err) {
      throw new DataError(
        `Downloading CIFAR-10 from ${url} failed (${describeError(err)}). ${byHandAdvice(root)}`,
      );
    }
    if (actual !== md5) {
      throw new DataError(
        `Downloaded ${url} has md5 ${actual}, expected ${md5}: the file is corrupt or not the ` +
          `CIFAR-10 archive, and was discarded. ${byHandAdvice(root)}`,
      );
    }
    try {
      await extractTo(archive, root, url, temps);
    } catch (err) {
      throw new DataError(`Unpacking ${url} failed (${describeError(err)}). ${byHandAdvice(root)}`);
    }
    const needed = [...CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE].map((f) =>
      join(root, CIFAR10_BATCHES_DIR, f),
    );
    const absent = needed.filter((f) => !temps.has(f));
    if (absent.length > 0) {
      throw new DataError(`${url} does not contain ${absent.join(', ')}. ${byHandAdvice(root)}`);
    }
    for (const [final, temp] of temps) {
      await rename(temp, final);
      temps.delete(final);
    }
  } finally {
    // Whatever happened, no temp file survives: only complete, renamed files remain.
    await rm(archive, { force: true });
    for (const temp of temps.values()) await rm(temp, { force: true });
  }
}

function megabytes(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

/** One progress line: `[#####.....] 12.3/170.5 MB 7%`, or `12.3 MB` without a total. */
export function formatProgress(
  bytesDone: number,
  bytesTotal: number | undefined,
  width = 30,
): string {
  if (bytesTotal === undefined || bytesTotal <= 0) return `${megabytes(bytesDone)} MB`;
  const fraction = Math.min(1, bytesDone / bytesTotal);
  return `${progressBar(fraction, width)} ${megabytes(bytesDone)}/${megabytes(bytesTotal)} MB ${Math.floor(fraction * 100)}%`;
}

/** Options of {@link createProgressReporter}. */
export interface ProgressReporterOptions {
  /** Where to write (default process.stderr). */
  stream?: { write(text: string): unknown; isTTY?: boolean };
  /** Text before the bar (default "Downloading CIFAR-10"). */
  label?: string;
  /** Bar width in characters (default 30). */
  width?: number;
  /** Least time between redraws on a terminal (default 100 ms). */
  intervalMs?: number;
}

/**
 * A {@link DownloadProgress} callback for people: on a terminal, one bar redrawn in place
 * (throttled); elsewhere (logs, CI), one line per 10 %. Ends the line when the download is done.
 */
export function createProgressReporter(options: ProgressReporterOptions = {}): DownloadProgress {
  const label = options.label ?? 'Downloading CIFAR-10';
  const width = options.width ?? 30;
  const line = new ProgressLine(options.stream ?? process.stderr, options.intervalMs === undefined ? {} : { intervalMs: options.intervalMs });
  return (bytesDone, bytesTotal) => {
    const fraction = bytesTotal === undefined || bytesTotal <= 0 ? undefined : bytesDone / bytesTotal;
    line.update(`${label} ${formatProgress(bytesDone, bytesTotal, width)}`, fraction);
  };
}
