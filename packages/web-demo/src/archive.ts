/**
 * The official cifar-10-binary.tar.gz read in the page: the browser's DecompressionStream
 * ('gzip') feeds core's streaming tar reader, and each wanted member is written into one array
 * of its size (the 160 MB archive is never held unpacked twice).
 */

import { data, DataError } from '@dlp/core/browser';
import { BATCH_FILES, checkRecordSize, EXPECTED, inOrder, type BatchFiles, type Progress } from './batch-files.js';

const GZIP_MAGIC = [0x1f, 0x8b];

/** Whether the blob starts like gzip data. */
export async function looksGzipped(blob: Blob): Promise<boolean> {
  const head = new Uint8Array(await blob.slice(0, 2).arrayBuffer());
  return head.length === 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
}

/** A ReadableStream as an async iterable (not every browser makes streams iterable yet). */
async function* chunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/**
 * The six batch files from a gzip tar holding cifar-10-batches-bin/*.bin (other members are
 * skipped). Progress counts compressed bytes read.
 * @throws DataError saying what was expected, for a file that is not gzip, not tar, or lacks files
 */
export async function readCifarArchive(file: Blob, name: string, onProgress: Progress): Promise<BatchFiles> {
  const expected = `expected a gzip tar holding cifar-10-batches-bin/*.bin (${EXPECTED})`;
  if (!(await looksGzipped(file))) throw new DataError(`${name} is not gzip data: ${expected}`);
  let read = 0;
  const counted = file.stream().pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        read += chunk.length;
        onProgress(read, file.size);
        controller.enqueue(chunk);
      },
    }),
  );
  const tar = counted.pipeThrough(new DecompressionStream('gzip') as unknown as ReadableWritablePair<Uint8Array, Uint8Array>);
  const found = new Map<string, Uint8Array>();
  try {
    await data.readTar(
      chunks(tar),
      (entry) => {
        const base = entry.path.split('/').pop() ?? '';
        if (entry.type !== 'file' || !BATCH_FILES.includes(base)) return undefined;
        checkRecordSize(`${name}: ${entry.path}`, entry.size);
        const out = new Uint8Array(entry.size);
        let at = 0;
        found.set(base, out);
        return {
          write(chunk) {
            out.set(chunk, at);
            at += chunk.length;
          },
          end() {},
        };
      },
      name,
    );
  } catch (error) {
    if (error instanceof DataError) throw new DataError(`${error.message}; ${expected}`);
    // DecompressionStream fails with a TypeError on corrupt data.
    throw new DataError(`${name} is not valid gzip data (${error instanceof Error ? error.message : String(error)}): ${expected}`);
  }
  return inOrder(found, name, name);
}
