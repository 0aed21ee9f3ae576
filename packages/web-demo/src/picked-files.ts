/**
 * Files the user picked: the six .bin files (extra files of the folder, such as
 * batches.meta.txt, are ignored), or one .tar.gz archive. Sizes are checked before anything
 * is read, so a wrong file is refused at once with what was expected.
 */

import { DataError } from '@dlp/core/browser';
import { readCifarArchive, looksGzipped } from './archive.js';
import { BATCH_FILES, checkRecordSize, EXPECTED, inOrder, type BatchFiles, type Progress } from './batch-files.js';

/** Files of the data folder that are not batches and may come along when a user picks all. */
const IGNORED = new Set(['batches.meta.txt', 'readme.html']);

export async function readPickedFiles(files: readonly File[], onProgress: Progress): Promise<BatchFiles> {
  if (files.length === 0) throw new DataError(`no file picked: expected ${EXPECTED}`);
  if (files.length === 1 && (/\.(tar\.gz|tgz)$/i.test(files[0]!.name) || (await looksGzipped(files[0]!)))) {
    return readCifarArchive(files[0]!, files[0]!.name, onProgress);
  }
  const wanted = files.filter((f) => !IGNORED.has(f.name));
  const strangers = wanted.filter((f) => !BATCH_FILES.includes(f.name));
  if (strangers.length > 0) {
    throw new DataError(`${strangers.map((f) => f.name).join(', ')}: not a CIFAR-10 batch file; expected ${EXPECTED}`);
  }
  for (const f of wanted) checkRecordSize(f.name, f.size);
  const missing = BATCH_FILES.filter((name) => !wanted.some((f) => f.name === name));
  if (missing.length > 0) {
    throw new DataError(`missing ${missing.join(', ')}: pick all six .bin files together, or the archive (expected ${EXPECTED})`);
  }
  const total = wanted.reduce((n, f) => n + f.size, 0);
  let loaded = 0;
  const bytes = new Map<string, Uint8Array>();
  for (const f of wanted) {
    bytes.set(f.name, new Uint8Array(await f.arrayBuffer()));
    loaded += f.size;
    onProgress(loaded, total);
  }
  return inOrder(bytes, 'picked files', 'the picked files');
}
