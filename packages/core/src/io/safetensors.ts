/**
 * The safetensors format (https://github.com/huggingface/safetensors#format), read and written
 * exactly as the spec says:
 *
 *   [8 bytes: N, unsigned little-endian 64-bit]
 *   [N bytes: UTF-8 JSON header, starting with `{`, padded with spaces to a multiple of 8]
 *   [the byte buffer: every tensor's little-endian row-major data, contiguous, no gaps]
 *
 * The header maps each tensor name to `{"dtype", "shape", "data_offsets": [begin, end]}`, the
 * offsets counted from the start of the byte buffer, plus an optional `__metadata__` string map.
 *
 * The encoder writes what the official writer (safetensors 0.8, Rust) writes, byte for byte:
 * tensors ordered by dtype alignment, largest first (the official Dtype enum order, descending),
 * then by name (byte-wise, like Rust's `String` ordering); compact JSON with `__metadata__` first
 * and the keys `dtype`, `shape`, `data_offsets` in that order. One difference cannot be matched:
 * the official writer keeps metadata in a Rust HashMap, so with two or more metadata keys their
 * order in its output is random; this encoder keeps the object's own key order.
 *
 * F16 and BF16 tensors hold their raw bits (a Uint16Array); the decoder converts them to F32 when
 * asked (`halfToFloat32`). Decoding checks every length and offset against the bytes actually
 * there before it allocates anything, and fails with WeightsFormatError naming what is wrong.
 *
 * encode/decode are pure and load in browsers; save/load need Node.
 */

import { ArgumentError, DlpError, WeightsFormatError } from '../errors.js';
import { writeFileAtomic } from './atomic-write.js';
import { halfToFloat32 } from './half.js';
import { readWeightFile } from './read-weight-file.js';
import {
  copyElements,
  HOST_IS_LITTLE_ENDIAN,
  isWeightDType,
  setOwn,
  WEIGHT_DTYPE_INFO,
  WEIGHT_DTYPES,
  type WeightArrays,
  type WeightDType,
  type WeightTensor,
  type WeightTensors,
} from './weight-dtypes.js';

/** The dtypes dlp reads and writes (the spec defines more: U16, U32, F8_*, ...). */
export type SafetensorsDType = WeightDType;
/** The typed array holding each dtype's elements (F16/BF16: raw bits). */
export type SafetensorsArrays = WeightArrays;
/** One tensor: its dtype, its shape (`[]` for a scalar) and its row-major elements. */
export type SafetensorsTensor = WeightTensor;
export type SafetensorsTensors = WeightTensors;

export interface DecodeSafetensorsOptions {
  /** Convert F16 and BF16 tensors to F32 (exactly) while decoding (default false: keep their bits). */
  halfToFloat32?: boolean;
}

export interface SafetensorsFile {
  /** The tensors, in the header's order. */
  tensors: SafetensorsTensors;
  /** `__metadata__`, or `{}` when the file has none. */
  metadata: Record<string, string>;
}

export const SAFETENSORS_DTYPES: readonly SafetensorsDType[] = WEIGHT_DTYPES;

/** Every dtype the spec names, in the official Dtype enum's order (ascending alignment). */
const SPEC_DTYPES = [
  'BOOL', 'F4', 'F6_E2M3', 'F6_E3M2', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'F8_E8M0',
  'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'C64', 'F64', 'I64', 'U64',
] as const;

/** The official writer orders tensors by this rank (its Dtype enum's position), largest first. */
function rank(dtype: SafetensorsDType): number {
  return SPEC_DTYPES.indexOf(dtype);
}
const INFO = WEIGHT_DTYPE_INFO;

/** The official reader's limit on the header size (100 MB). */
const MAX_HEADER_BYTES = 100_000_000;
const METADATA_KEY = '__metadata__';

function requireLittleEndian(): void {
  if (!HOST_IS_LITTLE_ENDIAN) throw new DlpError('safetensors: this host is big-endian; dlp only reads and writes little-endian data');
}

const isSupported = isWeightDType;

function formatShape(shape: readonly unknown[]): string {
  return `[${shape.join(', ')}]`;
}

/** Compares strings by their UTF-8 bytes (= by code points), as Rust orders `String`s. */
function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const ca = ia.next();
    const cb = ib.next();
    if (ca.done === true) return cb.done === true ? 0 : -1;
    if (cb.done === true) return 1;
    const d = ca.value.codePointAt(0)! - cb.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}

/**
 * Encodes tensors (and optional string metadata) as a safetensors file.
 *
 * @throws ArgumentError for a dtype outside {@link SAFETENSORS_DTYPES}, a shape that is not a
 *   list of non-negative integers, data of the wrong typed-array kind or length, a tensor named
 *   `__metadata__`, or a metadata value that is not a string.
 */
export function encodeSafetensors(tensors: SafetensorsTensors, metadata?: Record<string, string>): Uint8Array {
  requireLittleEndian();
  const entries: Array<{ name: string; dtype: SafetensorsDType; shape: number[]; bytes: Uint8Array }> = [];
  for (const name of Object.keys(tensors)) {
    if (name === METADATA_KEY) throw new ArgumentError(`safetensors: '${METADATA_KEY}' is reserved and cannot name a tensor`);
    const tensor = tensors[name]!;
    const dtype: string = tensor?.dtype;
    if (!isSupported(dtype)) {
      throw new ArgumentError(`safetensors: tensor '${name}' has dtype '${String(dtype)}': expected one of ${SAFETENSORS_DTYPES.join(', ')}`);
    }
    const info = INFO[dtype];
    const shape = tensor.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new ArgumentError(`safetensors: tensor '${name}' has shape ${Array.isArray(shape) ? formatShape(shape) : String(shape)}: expected a list of non-negative integers`);
    }
    const data = tensor.data as unknown;
    if (!(data instanceof info.array)) {
      const got = (data as object | undefined)?.constructor?.name ?? typeof data;
      throw new ArgumentError(`safetensors: tensor '${name}' is ${dtype} and needs a ${info.array.name}, got ${got}`);
    }
    const elements = shape.reduce((a, b) => a * b, 1);
    const array = data as SafetensorsArrays[SafetensorsDType];
    if (array.length !== elements) {
      throw new ArgumentError(`safetensors: tensor '${name}' has shape ${formatShape(shape)} (${elements} elements) but ${array.length} values`);
    }
    entries.push({ name, dtype, shape: [...shape], bytes: new Uint8Array(array.buffer, array.byteOffset, array.byteLength) });
  }
  // The official writer's order: larger alignment first, then by name.
  entries.sort((a, b) => rank(b.dtype) - rank(a.dtype) || compareCodePoints(a.name, b.name));

  // Built as text so the key order is exactly the official one (`__metadata__` first).
  const parts: string[] = [];
  if (metadata !== undefined) {
    const meta: string[] = [];
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== 'string') {
        throw new ArgumentError(`safetensors: metadata '${key}' is ${typeof value}: metadata values must be strings`);
      }
      meta.push(`${JSON.stringify(key)}:${JSON.stringify(value)}`);
    }
    parts.push(`${JSON.stringify(METADATA_KEY)}:{${meta.join(',')}}`);
  }
  let offset = 0;
  for (const e of entries) {
    const end = offset + e.bytes.byteLength;
    parts.push(`${JSON.stringify(e.name)}:{"dtype":"${e.dtype}","shape":[${e.shape.join(',')}],"data_offsets":[${offset},${end}]}`);
    offset = end;
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const headerLength = Math.ceil(json.byteLength / 8) * 8;

  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.byteLength, 8 + headerLength);
  let at = 8 + headerLength;
  for (const e of entries) {
    out.set(e.bytes, at);
    at += e.bytes.byteLength;
  }
  return out;
}

/**
 * Decodes a safetensors file. Every tensor's data is copied into a fresh typed array (so any
 * alignment is accepted and the input can be released).
 *
 * @param source named in error messages (a file path), default "safetensors data".
 * @throws WeightsFormatError (a DataError) saying what is wrong: too short for the header
 *   length, a header length past the end, a header that is not a UTF-8 JSON object, a bad
 *   `__metadata__`, an unknown or unsupported dtype, a bad shape or data_offsets, a byte size
 *   that does not match dtype and shape, offsets past the end of the buffer, overlapping
 *   tensors, or bytes no tensor covers.
 */
export function decodeSafetensors(
  bytes: Uint8Array,
  source = 'safetensors data',
  options: DecodeSafetensorsOptions = {},
): SafetensorsFile {
  requireLittleEndian();
  function fail(message: string): never {
    throw new WeightsFormatError(`${source}: ${message}`);
  }
  if (!(bytes instanceof Uint8Array)) {
    throw new ArgumentError(`decodeSafetensors: expected a Uint8Array, got ${typeof bytes}`);
  }
  if (bytes.byteLength < 8) fail(`${bytes.byteLength} bytes is too short for the 8-byte header length`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) fail(`header length ${n} is larger than the ${MAX_HEADER_BYTES}-byte limit (not a safetensors file?)`);
  const headerLength = Number(n);
  if (headerLength > bytes.byteLength - 8) {
    fail(`header length ${headerLength} runs past the end of the data (${bytes.byteLength - 8} bytes after the length field)`);
  }
  if (headerLength < 2) fail(`header length ${headerLength} is too small for a JSON object`);
  if (bytes[8] !== 0x7b) fail(`header does not start with '{' (byte 0x${bytes[8]!.toString(16).padStart(2, '0')})`);

  let text = '';
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    fail('header is not valid UTF-8');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (error) {
    fail(`header is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('header is not a JSON object');
  const entries = header as Record<string, unknown>;

  const metadata: Record<string, string> = {};
  const rawMeta = Object.prototype.hasOwnProperty.call(entries, METADATA_KEY) ? entries[METADATA_KEY] : undefined;
  if (rawMeta !== undefined) {
    if (typeof rawMeta !== 'object' || rawMeta === null || Array.isArray(rawMeta)) fail(`'${METADATA_KEY}' is not a JSON object`);
    for (const [key, value] of Object.entries(rawMeta as Record<string, unknown>)) {
      if (typeof value !== 'string') fail(`'${METADATA_KEY}' entry '${key}' is ${JSON.stringify(value)}, not a string`);
      setOwn(metadata, key, value as string);
    }
  }

  const bufferStart = 8 + headerLength;
  const bufferLength = bytes.byteLength - bufferStart;
  const infos: Array<{ name: string; dtype: SafetensorsDType; shape: number[]; begin: number; end: number }> = [];
  for (const [name, raw] of Object.entries(entries)) {
    if (name === METADATA_KEY) continue;
    const what = `tensor '${name}'`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(`${what} is not a JSON object`);
    const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
    if (typeof dtype !== 'string') fail(`${what} has no dtype string`);
    const d = dtype as string;
    if (!isSupported(d)) {
      if ((SPEC_DTYPES as readonly string[]).includes(d)) {
        fail(`${what} has dtype ${d}, which dlp does not read (supported: ${SAFETENSORS_DTYPES.join(', ')})`);
      }
      fail(`${what} has unknown dtype '${d}' (the spec's are ${SPEC_DTYPES.join(', ')})`);
    }
    if (!Array.isArray(shape) || !shape.every((x) => Number.isSafeInteger(x) && (x as number) >= 0)) {
      fail(`${what} has shape ${JSON.stringify(shape)}: expected a list of non-negative integers`);
    }
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((x) => Number.isSafeInteger(x) && (x as number) >= 0)
    ) {
      fail(`${what} has data_offsets ${JSON.stringify(offsets)}: expected [begin, end], two non-negative integers`);
    }
    const [begin, end] = offsets as [number, number];
    if (end < begin) fail(`${what} has data_offsets [${begin}, ${end}]: end is before begin`);
    if (end > bufferLength) {
      fail(`${what} has data_offsets [${begin}, ${end}], past the end of the ${bufferLength}-byte data buffer`);
    }
    const dims = shape as number[];
    const size = INFO[d as SafetensorsDType].size;
    const elements = dims.reduce((a, b) => a * b, 1);
    if (elements * size !== end - begin) {
      fail(
        `${what}: ${d} of shape ${formatShape(dims)} needs ${elements * size} bytes but data_offsets [${begin}, ${end}] span ${end - begin}`,
      );
    }
    infos.push({ name, dtype: d as SafetensorsDType, shape: [...dims], begin, end });
  }

  // The tensors must tile the buffer: sorted by offset, each starts where the previous ends.
  const byOffset = [...infos].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous: (typeof infos)[number] | undefined;
  for (const info of byOffset) {
    if (info.begin < covered) {
      fail(`tensors '${previous!.name}' [${previous!.begin}, ${previous!.end}] and '${info.name}' [${info.begin}, ${info.end}] overlap`);
    }
    if (info.begin > covered) fail(`bytes [${covered}, ${info.begin}) of the data buffer belong to no tensor`);
    covered = info.end;
    previous = info;
  }
  if (covered !== bufferLength) fail(`bytes [${covered}, ${bufferLength}) of the data buffer belong to no tensor`);

  const tensors: SafetensorsTensors = {};
  for (const info of infos) {
    const data = copyElements(info.dtype, bytes.subarray(bufferStart + info.begin, bufferStart + info.end));
    const tensor = { dtype: info.dtype, shape: info.shape, data } as SafetensorsTensor;
    setOwn(tensors, info.name, options.halfToFloat32 === true ? halfToFloat32(tensor) : tensor);
  }
  return { tensors, metadata };
}

/**
 * Writes a safetensors file atomically (temp file, fsync, rename): an existing file at `path`
 * is replaced whole or left as it was.
 */
export async function saveSafetensors(
  path: string,
  tensors: SafetensorsTensors,
  metadata?: Record<string, string>,
): Promise<void> {
  await writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}

/**
 * Reads and decodes a safetensors file.
 *
 * @throws DataError naming the file when it is missing or unreadable; WeightsFormatError (a
 *   DataError) when it is malformed.
 */
export async function loadSafetensors(path: string, options: DecodeSafetensorsOptions = {}): Promise<SafetensorsFile> {
  return decodeSafetensors(await readWeightFile(path, 'loadSafetensors'), path, options);
}
