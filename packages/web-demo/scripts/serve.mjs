#!/usr/bin/env node
// Serves the built page (dist/) on http://127.0.0.1:PORT for a browser, cross-origin isolated.
//   node scripts/serve.mjs [--port N] [--data-dir DIR]
// --data-dir mounts a folder holding the CIFAR-10 .bin files (or cifar-10-batches-bin/) at
// /data/, where the page looks first; without it the page asks for the files.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startStaticServer } from './static-server.mjs';

const fail = (message) => {
  console.error(`web-demo serve: ${message}`);
  process.exit(2);
};

let values;
try {
  // `pnpm … serve -- --port 8081` passes the `--` on: skip it.
  const args = process.argv.slice(2);
  ({ values } = parseArgs({ args: args[0] === '--' ? args.slice(1) : args, options: { port: { type: 'string' }, 'data-dir': { type: 'string' } } }));
} catch (error) {
  fail(error.message);
}
const port = Number(values.port ?? process.env.PORT ?? 8080);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be an integer in 0..65535, got ${values.port}`);

const dist = new URL('../dist/', import.meta.url);
if (!existsSync(new URL('index.html', dist))) fail('dist/ is not built: run `pnpm --filter @dlp/web-demo build`');

const mounts = {};
if (values['data-dir'] !== undefined) {
  // Relative to where the user typed the command (pnpm runs scripts in the package folder).
  const dir = resolve(process.env.INIT_CWD ?? process.cwd(), values['data-dir']);
  const nested = join(dir, 'cifar-10-batches-bin');
  const folder = existsSync(join(nested, 'test_batch.bin')) ? nested : dir;
  if (!existsSync(join(folder, 'test_batch.bin'))) fail(`${dir} holds no test_batch.bin (nor cifar-10-batches-bin/test_batch.bin)`);
  mounts['/data/'] = folder;
}

const server = await startStaticServer(dist, { port, mounts });
console.log(`dlp web demo on ${server.url}${mounts['/data/'] ? ` (data from ${mounts['/data/']})` : ''}  (Ctrl-C to stop)`);
