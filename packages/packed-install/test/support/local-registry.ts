/**
 * A read-only npm registry on loopback that serves a folder of tarballs, so plain `npm install`
 * (and `npm install -g`) resolve @dlp/* exactly as they will once published, with no network:
 * `GET /<name>` answers the package document npm asks for (one version per tarball, with its
 * manifest and sha512 integrity), `GET /-/<file>.tgz` the tarball, anything else 404. A package
 * it does not hold (another platform's addon) is a 404, as on the public registry before
 * publishing: npm skips such optional dependencies.
 */

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';

interface Manifest {
  name: string;
  version: string;
  [field: string]: unknown;
}

/** package/package.json inside a tarball (tar reads gzip itself). */
export function tarballManifest(tarball: string): Manifest {
  const result = spawnSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`cannot read package/package.json from ${tarball}: ${result.stderr}`);
  return JSON.parse(result.stdout) as Manifest;
}

export interface LocalRegistry {
  url: string;
  /** The package names it serves. */
  names: string[];
  /** Names npm asked for that it does not hold (answered 404). */
  misses: Set<string>;
  close(): Promise<void>;
}

/** Serves every .tgz in `dir` on 127.0.0.1 (a free port). */
export async function startLocalRegistry(dir: string): Promise<LocalRegistry> {
  const files = new Map<string, string>();
  const documents = new Map<string, { name: string; 'dist-tags': Record<string, string>; versions: Record<string, unknown> }>();
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  for (const file of readdirSync(dir).filter((f) => f.endsWith('.tgz'))) {
    const path = join(dir, file);
    const bytes = readFileSync(path);
    const manifest = tarballManifest(path);
    files.set(file, path);
    const doc = documents.get(manifest.name) ?? { name: manifest.name, 'dist-tags': {}, versions: {} };
    doc.versions[manifest.version] = {
      ...manifest,
      _id: `${manifest.name}@${manifest.version}`,
      dist: {
        tarball: `${url}/-/${file}`,
        integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
        shasum: createHash('sha1').update(bytes).digest('hex'),
      },
    };
    doc['dist-tags'].latest = manifest.version;
    documents.set(manifest.name, doc);
  }

  const misses = new Set<string>();
  server.on('request', (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', url).pathname);
    if (path.startsWith('/-/')) {
      const file = files.get(basename(path));
      if (file) {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(readFileSync(file));
        return;
      }
    } else {
      const doc = documents.get(path.slice(1));
      if (doc) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(doc));
        return;
      }
      misses.add(path.slice(1));
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":"Not found"}');
  });

  return {
    url,
    names: [...documents.keys()],
    misses,
    close: () => new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
