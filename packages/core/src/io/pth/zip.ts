/**
 * A zip reader for the archives torch.save writes (PyTorch >= 1.6: miniz, entries STORED, data
 * descriptors, ZIP64 end records), and for the same archive re-packed with DEFLATE.
 *
 * The central directory is the authority (torch's local headers carry zero sizes and a data
 * descriptor); each local header is read only for its name and extra-field lengths, which
 * place the data. Every count, size and offset is checked against the bytes actually present
 * before it is used; stored entries are returned as views of the input (no copy), deflated ones
 * are inflated by the caller's `inflateRaw` (zlib on Node) into at most the declared size, and
 * both are checked against their CRC-32. Pure: runs in browsers.
 */

import { WeightsFormatError } from '../../errors.js';
import { crc32 } from './crc32.js';

/** Decompresses raw DEFLATE data into exactly `size` bytes (throw when it does not fit). */
export type InflateRaw = (data: Uint8Array, size: number) => Uint8Array;

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflate. */
  method: number;
  compressedSize: number;
  size: number;
  crc32: number;
  /** Where the (compressed) data starts in the archive. */
  dataOffset: number;
}

export interface ZipArchive {
  /** Entries by name, in central-directory order. */
  entries: Map<string, ZipEntry>;
  /** The entry's bytes (a view for stored entries), CRC-checked. */
  read(entry: ZipEntry): Uint8Array;
}

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_SIZE = 22;
const CENTRAL_SIZE = 46;
const LOCAL_SIZE = 30;
/** DEFLATE's best ratio is about 1032:1; a declared size beyond it cannot come from the data. */
const MAX_DEFLATE_RATIO = 1032;
/**
 * Deflated entries may add up to this many times the archive (+ 1 MiB) once inflated: no reader
 * allocation exceeds 4x its input. Weights compress little (torch.save does not compress at all),
 * so this refuses only archives of mostly zeros, and decompression bombs.
 */
const MAX_INFLATED_FACTOR = 4;

/** `PK\x03\x04`: a zip archive's first bytes (a local file header). */
export function isZip(bytes: Uint8Array): boolean {
  return bytes.byteLength >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

export function openZip(bytes: Uint8Array, source: string, inflateRaw?: InflateRaw): ZipArchive {
  const fail = (message: string): never => {
    throw new WeightsFormatError(`${source}: ${message}`);
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = bytes.byteLength;
  const u16 = (at: number) => view.getUint16(at, true);
  const u32 = (at: number) => view.getUint32(at, true);
  /** A 64-bit field as a number, refused past 2^53 (no archive here is that large). */
  const u64 = (at: number, what: string) => {
    const value = view.getBigUint64(at, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) fail(`${what} ${value} is past any file size`);
    return Number(value);
  };

  // The end of central directory record: the last 22+ bytes, before a comment of up to 64 KiB.
  let eocd = -1;
  for (let at = length - EOCD_SIZE; at >= Math.max(0, length - EOCD_SIZE - 0xffff); at--) {
    if (u32(at) === EOCD_SIGNATURE && at + EOCD_SIZE + u16(at + 20) === length) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) fail('zip archive has no end of central directory record (truncated?)');
  let count = u16(eocd + 10);
  let directorySize = u32(eocd + 12);
  let directoryOffset = u32(eocd + 16);

  // ZIP64: the locator sits just before the end record and points at the ZIP64 end record.
  const locator = eocd - 20;
  if (locator >= 0 && u32(locator) === ZIP64_LOCATOR_SIGNATURE) {
    const record = u64(locator + 8, 'ZIP64 end record offset');
    if (record + 56 > locator) fail(`ZIP64 end record offset ${record} is past the locator at byte ${locator}`);
    if (u32(record) !== ZIP64_EOCD_SIGNATURE) fail(`no ZIP64 end record at byte ${record}`);
    count = u64(record + 32, 'ZIP64 entry count');
    directorySize = u64(record + 40, 'ZIP64 central directory size');
    directoryOffset = u64(record + 48, 'ZIP64 central directory offset');
  }
  if (directoryOffset + directorySize > eocd) {
    fail(`central directory [${directoryOffset}, +${directorySize}) runs past its end record at byte ${eocd}`);
  }
  if (count * CENTRAL_SIZE > directorySize) {
    fail(`central directory of ${directorySize} bytes cannot hold the ${count} entries it declares`);
  }

  const entries = new Map<string, ZipEntry>();
  let inflated = 0;
  const maxInflated = MAX_INFLATED_FACTOR * length + (1 << 20);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const end = directoryOffset + directorySize;
  let at = directoryOffset;
  for (let i = 0; i < count; i++) {
    const where = `central directory entry ${i} (byte ${at})`;
    if (at + CENTRAL_SIZE > end) fail(`${where} runs past the central directory`);
    if (u32(at) !== CENTRAL_SIGNATURE) fail(`${where} has no central header signature`);
    const flags = u16(at + 8);
    const method = u16(at + 10);
    const crc = u32(at + 16);
    let compressedSize = u32(at + 20);
    let size = u32(at + 24);
    const nameLength = u16(at + 28);
    const extraLength = u16(at + 30);
    const commentLength = u16(at + 32);
    let localOffset = u32(at + 42);
    const next = at + CENTRAL_SIZE + nameLength + extraLength + commentLength;
    if (next > end) fail(`${where} runs past the central directory`);
    let name = '';
    try {
      name = decoder.decode(bytes.subarray(at + CENTRAL_SIZE, at + CENTRAL_SIZE + nameLength));
    } catch {
      fail(`${where} has a name that is not UTF-8`);
    }

    // ZIP64 extra field: the 64-bit values of exactly those fields whose 32-bit slot is all ones.
    if (size === 0xffffffff || compressedSize === 0xffffffff || localOffset === 0xffffffff) {
      let extra = at + CENTRAL_SIZE + nameLength;
      const extraEnd = extra + extraLength;
      let found = false;
      while (extra + 4 <= extraEnd) {
        const id = u16(extra);
        const fieldLength = u16(extra + 2);
        const body = extra + 4;
        if (body + fieldLength > extraEnd) break;
        if (id === 0x0001) {
          let field = body;
          const take = (what: string) => {
            if (field + 8 > body + fieldLength) fail(`entry '${name}': ZIP64 extra field too short for its ${what}`);
            const value = u64(field, `entry '${name}' ${what}`);
            field += 8;
            return value;
          };
          if (size === 0xffffffff) size = take('size');
          if (compressedSize === 0xffffffff) compressedSize = take('compressed size');
          if (localOffset === 0xffffffff) localOffset = take('local header offset');
          found = true;
          break;
        }
        extra = body + fieldLength;
      }
      if (!found) fail(`entry '${name}' has 32-bit fields set to 0xffffffff but no ZIP64 extra field`);
    }

    if ((flags & 1) !== 0) fail(`entry '${name}' is encrypted`);
    if (method !== 0 && method !== 8) fail(`entry '${name}' uses compression method ${method} (only stored and deflate are read)`);
    if (method === 0 && compressedSize !== size) {
      fail(`entry '${name}' is stored but declares ${compressedSize} bytes stored and ${size} bytes of content`);
    }
    if (method === 8 && size > compressedSize * MAX_DEFLATE_RATIO + 64) {
      fail(`entry '${name}' declares ${size} bytes from ${compressedSize} compressed bytes, more than deflate can give`);
    }
    if (method === 8 && (inflated += size) > maxInflated) {
      fail(
        `deflated entries declare more than ${maxInflated} bytes in all (${MAX_INFLATED_FACTOR} × the archive + 1 MiB), the most dlp inflates; re-save it with torch.save, which stores entries uncompressed`,
      );
    }
    if (localOffset + LOCAL_SIZE > directoryOffset) {
      fail(`entry '${name}': local header offset ${localOffset} is past the start of the central directory (byte ${directoryOffset})`);
    }
    if (u32(localOffset) !== LOCAL_SIGNATURE) fail(`entry '${name}': no local header at byte ${localOffset}`);
    const localNameLength = u16(localOffset + 26);
    const dataOffset = localOffset + LOCAL_SIZE + localNameLength + u16(localOffset + 28);
    if (localNameLength !== nameLength || !sameBytes(bytes, localOffset + LOCAL_SIZE, at + CENTRAL_SIZE, nameLength)) {
      fail(`entry '${name}': the local header at byte ${localOffset} names another entry`);
    }
    if (dataOffset + compressedSize > directoryOffset) {
      fail(`entry '${name}' holds ${compressedSize} bytes from byte ${dataOffset}, past the start of the central directory (byte ${directoryOffset})`);
    }
    if (entries.has(name)) fail(`entry '${name}' appears twice`);
    entries.set(name, { name, method, compressedSize, size, crc32: crc, dataOffset });
    at = next;
  }

  function read(entry: ZipEntry): Uint8Array {
    const raw = bytes.subarray(entry.dataOffset, entry.dataOffset + entry.compressedSize);
    let data = raw;
    if (entry.method === 8) {
      if (!inflateRaw) fail(`entry '${entry.name}' is deflate-compressed and no inflater was given (loadPth on Node has one)`);
      try {
        data = inflateRaw!(raw, entry.size);
      } catch (error) {
        fail(`entry '${entry.name}' does not inflate to its declared ${entry.size} bytes: ${(error as Error).message}`);
      }
      if (data.byteLength !== entry.size) {
        fail(`entry '${entry.name}' inflates to ${data.byteLength} bytes, not its declared ${entry.size}`);
      }
    }
    const crc = crc32(data);
    if (crc !== entry.crc32) {
      fail(`entry '${entry.name}' fails its CRC-32 check (0x${hex(crc)}, expected 0x${hex(entry.crc32)}): the file is corrupt`);
    }
    return data;
  }
  return { entries, read };
}

function sameBytes(bytes: Uint8Array, a: number, b: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (bytes[a + i] !== bytes[b + i]) return false;
  return true;
}

function hex(value: number): string {
  return value.toString(16).padStart(8, '0');
}
