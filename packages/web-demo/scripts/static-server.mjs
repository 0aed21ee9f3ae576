// A small static file server for the built page, on loopback only. It sends the content types
// a page with ES modules and WebAssembly needs (application/wasm enables streaming
// compilation) and, on every response, the two headers that make the page cross-origin
// isolated (COOP same-origin + COEP require-corp): only then does the browser give it
// SharedArrayBuffer, which the threaded wasm build needs. `mounts` serves more folders under
// URL prefixes, e.g. { '/data/': '/path/to/cifar-10-batches-bin' } for the dataset.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.bin': 'application/octet-stream',
};

export const ISOLATION_HEADERS = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
};

const toPath = (p) => normalize(typeof p === 'string' ? p : fileURLToPath(p));

/** The file under `base` that `rest` names, or undefined when it escapes `base` or is not a file. */
function fileUnder(base, rest) {
  const file = normalize(join(base, rest.endsWith('/') || rest === '' ? `${rest}index.html` : rest));
  const inside = file.startsWith(base.endsWith(sep) ? base : base + sep);
  return inside && existsSync(file) && statSync(file).isFile() ? file : undefined;
}

/**
 * Starts serving `root` (a file URL or path) on 127.0.0.1; resolves to { url, port, close }.
 * Options: `port` (0, the default, picks a free one), `mounts` ({ '/prefix/': folder }),
 * `isolated` (send the cross-origin isolation headers; default true).
 */
export function startStaticServer(root, options = {}) {
  const { port = 0, mounts = {}, isolated = true } = typeof options === 'number' ? { port: options } : options;
  const bases = [
    ...Object.entries(mounts).map(([prefix, dir]) => [prefix.endsWith('/') ? prefix : `${prefix}/`, toPath(dir)]),
    ['/', toPath(root)],
  ];
  const server = createServer((req, res) => {
    const headers = isolated ? { ...ISOLATION_HEADERS } : {};
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed');
      return;
    }
    let path;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      res.writeHead(400, { ...headers, 'content-type': 'text/plain' }).end('bad path');
      return;
    }
    const [prefix, base] = bases.find(([p]) => path.startsWith(p)) ?? bases[bases.length - 1];
    const file = fileUnder(base, path.slice(prefix.length));
    if (!file) {
      res.writeHead(404, { ...headers, 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, {
      ...headers,
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': statSync(file).size,
      'cache-control': 'no-cache',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: actual } = server.address();
      resolve({
        url: `http://127.0.0.1:${actual}/`,
        port: actual,
        close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }),
      });
    });
  });
}
