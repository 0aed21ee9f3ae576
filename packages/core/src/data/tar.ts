/**
 * A minimal streaming tar reader (ustar, with GNU long names and pax paths), enough to unpack
 * the CIFAR-10 archive without a dependency: regular files are streamed to a caller's sink.
 */
import { DataError } from '../errors.js';

const BLOCK = 512;
/** pax and GNU long-name records are tiny; anything bigger means a corrupt archive. */
const MAX_META_BYTES = 1 << 20;

/** One archive member, as announced to the caller before its data. */
export interface TarEntry {
  /** Path inside the archive, '/'-separated as stored. */
  path: string;
  /** Data bytes. */
  size: number;
  type: 'file' | 'directory' | 'other';
}

/** Receives one regular file's data; `end` is called after the last chunk. */
export interface TarSink {
  write(chunk: Uint8Array): Promise<void> | void;
  end(): Promise<void> | void;
}

const decoder = new TextDecoder();

function text(block: Uint8Array, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const nul = field.indexOf(0);
  return decoder.decode(nul < 0 ? field : field.subarray(0, nul));
}

/** A numeric header field: octal text, or base-256 when the first byte's high bit is set. */
function number(block: Uint8Array, start: number, length: number): number {
  const field = block.subarray(start, start + length);
  if ((field[0]! & 0x80) !== 0) {
    let value = field[0]! & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i]!;
    return value;
  }
  const digits = text(block, start, length).trim();
  return digits === '' ? 0 : parseInt(digits, 8);
}

function checksumOk(block: Uint8Array): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return sum === number(block, 148, 8);
}

/** The `path` record of a pax extended header ("<len> path=<value>\n" records). */
function paxPath(data: Uint8Array): string | undefined {
  let path: string | undefined;
  for (const record of decoder.decode(data).split('\n')) {
    const match = /^\d+ path=(.*)$/s.exec(record);
    if (match) path = match[1];
  }
  return path;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Reads a tar stream (already decompressed), calling `onEntry` for each member. For a regular
 * file, a returned sink receives its data; returning undefined skips it. Stops at the
 * end-of-archive block.
 * @param name the archive's name, for error messages
 * @throws DataError for a corrupt header or an archive that ends early
 */
export async function readTar(
  source: AsyncIterable<Uint8Array>,
  onEntry: (entry: TarEntry) => Promise<TarSink | undefined> | TarSink | undefined,
  name: string,
): Promise<void> {
  const header = new Uint8Array(BLOCK);
  let headerFill = 0;
  let remaining = 0; // data bytes left in the current member
  let padding = 0; // bytes up to the next block boundary after the data
  let sink: TarSink | undefined;
  let meta: { kind: 'pax' | 'longname'; parts: Uint8Array[] } | undefined;
  let nextPath: string | undefined; // from a pax or GNU long-name member, for the next header
  let current = '';
  let ended = false;

  const finishEntry = async (): Promise<void> => {
    if (sink !== undefined) await sink.end();
    if (meta !== undefined) {
      const data = concat(meta.parts);
      nextPath = meta.kind === 'pax' ? (paxPath(data) ?? nextPath) : text(data, 0, data.length);
    }
    sink = undefined;
    meta = undefined;
  };

  const startEntry = async (): Promise<void> => {
    if (header.every((b) => b === 0)) {
      ended = true;
      return;
    }
    if (!checksumOk(header)) {
      throw new DataError(
        `${name} is not a valid tar archive: bad header checksum after ${current || 'the start'}`,
      );
    }
    const size = number(header, 124, 12);
    const flag = String.fromCharCode(header[156]!);
    // Only POSIX ustar puts a path prefix at 345; GNU tar uses those bytes for other fields.
    const prefix =
      text(header, 257, 6) === 'ustar' && text(header, 263, 2) === '00'
        ? text(header, 345, 155)
        : '';
    const stored = prefix === '' ? text(header, 0, 100) : `${prefix}/${text(header, 0, 100)}`;
    remaining = size;
    padding = (BLOCK - (size % BLOCK)) % BLOCK;
    if (flag === 'x' || flag === 'L') {
      if (size > MAX_META_BYTES)
        throw new DataError(`${name}: oversized tar metadata (${size} bytes)`);
      meta = { kind: flag === 'x' ? 'pax' : 'longname', parts: [] };
    } else if (flag !== 'g') {
      current = nextPath ?? stored;
      nextPath = undefined;
      const type =
        flag === '0' || flag === '\0' || flag === '7'
          ? 'file'
          : flag === '5'
            ? 'directory'
            : 'other';
      const accepted = await onEntry({ path: current, size, type });
      if (type === 'file') sink = accepted;
    }
    if (size === 0) await finishEntry();
  };

  for await (const chunk of source) {
    let off = 0;
    while (off < chunk.length && !ended) {
      if (remaining > 0) {
        const n = Math.min(remaining, chunk.length - off);
        const part = chunk.subarray(off, off + n);
        if (sink !== undefined) await sink.write(part);
        else if (meta !== undefined) meta.parts.push(part.slice());
        off += n;
        remaining -= n;
        if (remaining === 0) await finishEntry();
      } else if (padding > 0) {
        const n = Math.min(padding, chunk.length - off);
        off += n;
        padding -= n;
      } else {
        const n = Math.min(BLOCK - headerFill, chunk.length - off);
        header.set(chunk.subarray(off, off + n), headerFill);
        headerFill += n;
        off += n;
        if (headerFill === BLOCK) {
          headerFill = 0;
          await startEntry();
        }
      }
    }
    // After the end block, the rest (tar's zero padding) is drained rather than left unread,
    // so a stream pipeline feeding this loop completes normally.
  }
  if (!ended) {
    const where = remaining > 0 ? `in the middle of ${current}` : `after ${current || 'the start'}`;
    throw new DataError(`${name} is truncated: the tar data ends ${where}`);
  }
}
