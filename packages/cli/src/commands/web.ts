/**
 * `dlp web`: serves the web demo (built first when needed) and CIFAR-10 on loopback, with the
 * cross-origin isolation headers (COOP/COEP) that give the page SharedArrayBuffer, so it trains
 * on the threaded wasm build. The data folder is mounted at /data/, where the page looks first;
 * without data the page asks the user to pick the files.
 */

import { data, DataError } from '@dlp/core';
import { noPositionals, parseFlags, stringFlag, type FlagSpec } from '../args.js';
import { UsageError } from '../errors.js';
import { buildDemo, demoPaths, staleReason } from '../web/demo-build.js';

export const WEB_HELP = `Usage: dlp web [--port N] [--data-dir DIR] [--no-build]

Serves the web demo, which trains every experiment in the browser on the wasm backend
(threaded: the page is served cross-origin isolated), and prints its URL. Ctrl-C stops it.

  --port N         port on 127.0.0.1 (default 8080; 0 picks a free one)
  --data-dir DIR   CIFAR-10 to serve to the page (else $DLP_DATA_DIR, else the cache,
                   downloading there); without it the page asks for the files
  --no-build       serve what is built even when the page's sources are newer
`;

const flags: FlagSpec = { port: { type: 'string' }, 'data-dir': { type: 'string' }, 'no-build': { type: 'boolean' } };

function portFlag(raw: string | undefined): number {
  if (raw === undefined) return 8080;
  const port = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || port > 65535) throw new UsageError(`--port must be an integer in 0..65535, got '${raw}'`);
  return port;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

/** The .bin folder to serve: --data-dir (an error when wrong), else found or downloaded, else none. */
async function dataFolder(dataDir: string | undefined): Promise<string | undefined> {
  if (dataDir !== undefined) return (await data.resolveCifar10({ dataDir })).dir;
  try {
    return (await data.resolveCifar10({ onProgress: data.createProgressReporter() })).dir;
  } catch (error) {
    if (!(error instanceof DataError)) throw error;
    log(`dlp web: no CIFAR-10 to serve (${error.message}); the page will ask for the files`);
    return undefined;
  }
}

export async function runWeb(argv: string[]): Promise<number> {
  const parsed = parseFlags(argv, flags, 'web');
  noPositionals(parsed, 'web');
  const port = portFlag(stringFlag(parsed, 'port'));
  const binDir = await dataFolder(stringFlag(parsed, 'data-dir'));

  const paths = demoPaths();
  const stale = staleReason(paths);
  if (stale !== undefined && parsed.values['no-build'] !== true) {
    log(`dlp web: building the page: ${stale}`);
    buildDemo(paths, log);
  }

  const { startStaticServer } = await import('@dlp/web-demo/server');
  let server;
  try {
    server = await startStaticServer(paths.dist, { port, mounts: binDir === undefined ? {} : { '/data/': binDir } });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UsageError(`web: port ${port} is in use; pick another with --port N (0 picks a free one)`);
    if (code === 'EACCES') throw new UsageError(`web: not allowed to listen on port ${port}; use a port above 1023`);
    throw error;
  }
  process.stdout.write(`dlp web demo: ${server.url}\n`);
  log(binDir === undefined ? 'dlp web: no data served: pick the CIFAR-10 files in the page' : `dlp web: serving CIFAR-10 from ${binDir} at ${server.url}data/`);
  log('dlp web: Ctrl-C stops the server');

  const stopped = new Promise<number>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      log(`dlp web: ${signal}, stopping`);
      void server.close().then(() => resolve(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return stopped;
}
