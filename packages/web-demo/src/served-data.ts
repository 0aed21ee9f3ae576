/**
 * The data set as the app's server offers it, at data/<file> beside the page (`dlp web
 * --data-dir` and the tests mount the folder there). Each file is read into one array of its
 * announced size, with progress over all six.
 */

import { DataError } from '@dlp/core/browser';
import { BATCH_FILES, checkRecordSize, inOrder, type BatchFiles, type Progress } from './batch-files.js';

/**
 * The six files from `base` (e.g. new URL('data/', document.baseURI)), or undefined when the
 * server has none of them (the page then asks the user for files).
 * @throws DataError when only some are served, or one has the wrong size
 */
export async function fetchServedData(base: URL, onProgress: Progress): Promise<BatchFiles | undefined> {
  const urls = BATCH_FILES.map((name) => new URL(name, base));
  const heads = await Promise.all(urls.map((url) => fetch(url, { method: 'HEAD' }).catch(() => undefined)));
  const served = heads.map((r) => r?.ok === true);
  if (served.every((ok) => !ok)) return undefined;
  if (!served.every((ok) => ok)) {
    const missing = BATCH_FILES.filter((_, i) => !served[i]);
    throw new DataError(`the server's ${base.pathname} lacks ${missing.join(', ')}`);
  }
  const sizes = heads.map((r, i) => {
    const size = Number(r!.headers.get('content-length'));
    checkRecordSize(`${urls[i]!.pathname}`, size);
    return size;
  });
  const total = sizes.reduce((a, b) => a + b, 0);
  const loaded = sizes.map(() => 0);
  const report = () => onProgress(loaded.reduce((a, b) => a + b, 0), total);
  const bytes = await Promise.all(
    urls.map(async (url, i) => {
      const response = await fetch(url);
      if (!response.ok || !response.body) throw new DataError(`${url.pathname}: the server answered ${response.status}`);
      const out = new Uint8Array(sizes[i]!);
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (loaded[i]! + value.length > out.length) throw new DataError(`${url.pathname}: more bytes than the ${out.length} announced`);
        out.set(value, loaded[i]);
        loaded[i]! += value.length;
        report();
      }
      if (loaded[i] !== out.length) throw new DataError(`${url.pathname}: ${loaded[i]} bytes arrived of ${out.length}`);
      return out;
    }),
  );
  return inOrder(new Map(BATCH_FILES.map((name, i) => [name, bytes[i]!])), base.href, `the server's ${base.pathname}`);
}
