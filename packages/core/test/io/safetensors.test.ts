import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ArgumentError, DataError, WeightsFormatError } from '../../src/errors.js';
import {
  decodeSafetensors,
  encodeSafetensors,
  loadSafetensors,
  saveSafetensors,
  type SafetensorsDType,
  type SafetensorsTensor,
  type SafetensorsTensors,
} from '../../src/io/safetensors.js';
import { bfloat16BitsToFloat32, float16BitsToFloat32 } from '../../src/io/half.js';
import { expectedWeights, expectWeight, fixtureBytes } from '../support/weight-fixtures.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

interface ExpectedTensor {
  dtype: SafetensorsDType;
  shape: number[];
  values: string[];
}
interface ExpectedFile {
  generator: string;
  small: { file: string; header_order: string[]; metadata: Record<string, string>; tensors: Record<string, ExpectedTensor> };
  extra_cases: Array<{ metadata: Record<string, string> | null; tensors: Record<string, ExpectedTensor>; official_hex: string }>;
}
const expected = JSON.parse(readFileSync(join(FIXTURES, 'small.expected.json'), 'utf8')) as ExpectedFile;

/** The tensor the expected JSON describes (values as strings: repr of floats, decimal ints). */
function fromExpected(e: ExpectedTensor): SafetensorsTensor {
  const { dtype, shape, values } = e;
  switch (dtype) {
    case 'F32':
      return { dtype, shape, data: Float32Array.from(values, Number) };
    case 'F64':
      return { dtype, shape, data: Float64Array.from(values, Number) };
    case 'I64':
      return { dtype, shape, data: BigInt64Array.from(values, (v) => BigInt(v)) };
    case 'I32':
      return { dtype, shape, data: Int32Array.from(values, Number) };
    case 'U8':
      return { dtype, shape, data: Uint8Array.from(values, Number) };
    default:
      throw new Error(`small.expected.json has no ${dtype} tensors`);
  }
}

function fromHex(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (b) => parseInt(b, 16));
}

/** Element-wise equality that tells -0 from 0 and compares BigInts. */
function expectSameTensor(got: SafetensorsTensor | undefined, want: SafetensorsTensor): void {
  expect(got).toBeDefined();
  expect(got!.dtype).toBe(want.dtype);
  expect(got!.shape).toEqual(want.shape);
  expect(got!.data.constructor).toBe(want.data.constructor);
  expect(got!.data.length).toBe(want.data.length);
  for (let i = 0; i < want.data.length; i++) expect(Object.is(got!.data[i], want.data[i])).toBe(true);
}

/** Hand-made file bytes: header object (or raw text), padded, then `buffer` bytes. */
function craft(header: unknown, bufferBytes: number, options: { raw?: string; length?: bigint } = {}): Uint8Array {
  const json = new TextEncoder().encode(options.raw ?? JSON.stringify(header));
  const padded = Math.ceil(json.byteLength / 8) * 8;
  const out = new Uint8Array(8 + padded + bufferBytes).fill(0x20, 8 + json.byteLength, 8 + padded);
  new DataView(out.buffer).setBigUint64(0, options.length ?? BigInt(padded), true);
  out.set(json, 8);
  return out;
}

describe('safetensors encode/decode', () => {
  it('round-trips every dtype, including scalars, empty tensors and typed-array views', () => {
    const backing = new Float32Array([9, 1.5, -2.25, 3, 9, 9, 9]);
    const tensors: SafetensorsTensors = {
      f32: { dtype: 'F32', shape: [2, 3], data: new Float32Array([0.1, -0, Infinity, -Infinity, 1e-40, 3.4e38]) },
      view: { dtype: 'F32', shape: [3], data: backing.subarray(1, 4) },
      f64: { dtype: 'F64', shape: [2], data: new Float64Array([Math.PI, Number.MIN_VALUE]) },
      i64: { dtype: 'I64', shape: [3], data: new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n, 0n]) },
      i32: { dtype: 'I32', shape: [1, 2], data: new Int32Array([-(2 ** 31), 2 ** 31 - 1]) },
      u8: { dtype: 'U8', shape: [3], data: new Uint8Array([0, 128, 255]) },
      f16: { dtype: 'F16', shape: [2], data: new Uint16Array([0x3c00, 0xfc00]) },
      bf16: { dtype: 'BF16', shape: [1], data: new Uint16Array([0xc049]) },
      i16: { dtype: 'I16', shape: [2], data: new Int16Array([-32768, 32767]) },
      i8: { dtype: 'I8', shape: [2], data: new Int8Array([-128, 127]) },
      bool: { dtype: 'BOOL', shape: [2], data: new Uint8Array([1, 0]) },
      scalar: { dtype: 'F64', shape: [], data: new Float64Array([42]) },
      empty: { dtype: 'I32', shape: [4, 0], data: new Int32Array(0) },
      nan: { dtype: 'F32', shape: [1], data: new Float32Array([Number.NaN]) },
    };
    const bytes = encodeSafetensors(tensors, { epoch: '3', 'ünïcode': 'välue "quoted"\n' });
    const file = decodeSafetensors(bytes);
    expect(file.metadata).toEqual({ epoch: '3', 'ünïcode': 'välue "quoted"\n' });
    expect(Object.keys(file.tensors).sort()).toEqual(Object.keys(tensors).sort());
    for (const [name, tensor] of Object.entries(tensors)) expectSameTensor(file.tensors[name], tensor);
    expect(Number.isNaN(file.tensors.nan!.data[0])).toBe(true);
  });

  it('writes the spec layout: LE length, space-padded header to 8 bytes, contiguous offsets', () => {
    const bytes = encodeSafetensors({
      a: { dtype: 'U8', shape: [3], data: new Uint8Array([1, 2, 3]) },
      b: { dtype: 'F32', shape: [1], data: new Float32Array([1]) },
    });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(text).toMatch(/^\{.*\} *$/);
    expect(JSON.parse(text)).toEqual({
      b: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
      a: { dtype: 'U8', shape: [3], data_offsets: [4, 7] },
    });
    expect(bytes.byteLength).toBe(8 + n + 7);
    expect([...bytes.subarray(8 + n)]).toEqual([0, 0, 0x80, 0x3f, 1, 2, 3]);
  });

  it('orders tensors like the official writer whatever the insertion order', () => {
    const t = (dtype: 'F32' | 'I64' | 'U8'): SafetensorsTensor =>
      dtype === 'I64' ? { dtype, shape: [1], data: new BigInt64Array(1) } : dtype === 'U8' ? { dtype, shape: [1], data: new Uint8Array(1) } : { dtype, shape: [1], data: new Float32Array(1) };
    const a = encodeSafetensors({ z: t('U8'), b: t('F32'), a: t('F32'), y: t('I64') });
    const b = encodeSafetensors({ y: t('I64'), a: t('F32'), z: t('U8'), b: t('F32') });
    expect(a).toEqual(b);
    expect(Object.keys(decodeSafetensors(a).tensors)).toEqual(['y', 'a', 'b', 'z']);
  });

  it('writes __metadata__ only when given, and keeps a tensor named __proto__ as a plain entry', () => {
    const one = { x: { dtype: 'U8', shape: [1], data: new Uint8Array([7]) } } satisfies SafetensorsTensors;
    expect(new TextDecoder().decode(encodeSafetensors(one))).not.toContain('__metadata__');
    expect(new TextDecoder().decode(encodeSafetensors(one, {}))).toContain('"__metadata__":{}');
    const proto: SafetensorsTensors = {};
    Object.defineProperty(proto, '__proto__', { value: one.x, enumerable: true });
    const file = decodeSafetensors(encodeSafetensors(proto));
    expect(Object.keys(file.tensors)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(file.tensors)).toBe(Object.prototype);
  });

  it('rejects bad input to the encoder with ArgumentError', () => {
    const bad = (tensors: unknown, metadata?: unknown) => () =>
      encodeSafetensors(tensors as SafetensorsTensors, metadata as Record<string, string>);
    expect(bad({ w: { dtype: 'U16', shape: [1], data: new Uint16Array(1) } })).toThrow(/'w' has dtype 'U16'/);
    expect(bad({ w: { dtype: 'F16', shape: [1], data: new Float32Array(1) } })).toThrow(/'w' is F16 and needs a Uint16Array, got Float32Array/);
    expect(bad({ w: { dtype: 'F32', shape: [2], data: new Float64Array(2) } })).toThrow(/needs a Float32Array, got Float64Array/);
    expect(bad({ w: { dtype: 'I64', shape: [2], data: [1, 2] } })).toThrow(/needs a BigInt64Array, got Array/);
    expect(bad({ w: { dtype: 'F32', shape: [2, 2], data: new Float32Array(3) } })).toThrow(/shape \[2, 2\] \(4 elements\) but 3 values/);
    expect(bad({ w: { dtype: 'F32', shape: [-1], data: new Float32Array(1) } })).toThrow(/non-negative integers/);
    expect(bad({ __metadata__: { dtype: 'U8', shape: [0], data: new Uint8Array(0) } })).toThrow(/reserved/);
    expect(bad({}, { epoch: 3 })).toThrow(/metadata 'epoch' is number/);
    expect(bad({ w: { dtype: 'F32', shape: [1], data: new Float32Array(1) } })).not.toThrow();
    expect(bad({ w: { dtype: 'F32', shape: [2], data: new Float32Array(1) } })).toThrow(ArgumentError);
    expect(bad({ w: { dtype: 'BF16', shape: [1], data: new Uint8Array(2) } })).toThrow(ArgumentError);
  });
});

describe('safetensors written by the official writer', () => {
  it(`decodes small.safetensors (${expected.generator})`, () => {
    const bytes = readFileSync(join(FIXTURES, expected.small.file));
    const file = decodeSafetensors(bytes);
    expect(file.metadata).toEqual(expected.small.metadata);
    expect(Object.keys(file.tensors)).toEqual(expected.small.header_order);
    for (const [name, e] of Object.entries(expected.small.tensors)) expectSameTensor(file.tensors[name], fromExpected(e));
    // beyond 2**53: only exact through BigInt
    expect(file.tensors.step_ids!.data[2]).toBe(2n ** 53n + 1n);
  });

  it('encodes the same tensors to the same bytes as the official writer', () => {
    const official = new Uint8Array(readFileSync(join(FIXTURES, expected.small.file)));
    const tensors: SafetensorsTensors = {};
    for (const [name, e] of Object.entries(expected.small.tensors)) tensors[name] = fromExpected(e);
    expect(encodeSafetensors(tensors, expected.small.metadata)).toEqual(official);
  });

  it.each(expected.extra_cases.map((c, i) => [i, c] as const))('case %i: decodes and re-encodes byte for byte', (_, c) => {
    const official = fromHex(c.official_hex);
    const file = decodeSafetensors(official);
    expect(file.metadata).toEqual(c.metadata ?? {});
    const tensors: SafetensorsTensors = {};
    for (const [name, e] of Object.entries(c.tensors)) {
      tensors[name] = fromExpected(e);
      expectSameTensor(file.tensors[name], tensors[name]!);
    }
    expect(encodeSafetensors(tensors, c.metadata ?? undefined)).toEqual(official);
  });
});

describe('safetensors validation', () => {
  const f32 = (offsets: [number, number], shape = [2]) => ({ dtype: 'F32', shape, data_offsets: offsets });
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['too short', new Uint8Array(5), /5 bytes is too short for the 8-byte header length/],
    ['header length past the end', craft({}, 0, { length: 64n }), /header length 64 runs past the end of the data \(8 bytes/],
    ['header length absurd', craft({}, 0, { length: 2n ** 60n }), /larger than the 100000000-byte limit/],
    ['header not starting with {', craft(null, 0, { raw: ' {}' }), /does not start with '\{'/],
    ['header not JSON', craft(null, 0, { raw: '{"a":' }), /header is not valid JSON/],
    ['header not UTF-8', (() => { const b = craft(null, 0, { raw: '{"ab":1}' }); b[10] = 0xff; return b; })(), /not valid UTF-8/],
    ['metadata not an object', craft({ __metadata__: ['x'] }, 0), /'__metadata__' is not a JSON object/],
    ['metadata value not a string', craft({ __metadata__: { epoch: 3 } }, 0), /'__metadata__' entry 'epoch' is 3, not a string/],
    ['tensor entry not an object', craft({ w: 3 }, 0), /tensor 'w' is not a JSON object/],
    ['no dtype', craft({ w: { shape: [1], data_offsets: [0, 4] } }, 4), /tensor 'w' has no dtype/],
    ['unknown dtype', craft({ w: { dtype: 'F17', shape: [1], data_offsets: [0, 4] } }, 4), /tensor 'w' has unknown dtype 'F17'/],
    ['unsupported spec dtype', craft({ w: { dtype: 'U16', shape: [2], data_offsets: [0, 4] } }, 4), /tensor 'w' has dtype U16, which dlp does not read/],
    ['negative dim', craft({ w: f32([0, 8], [-2]) }, 8), /tensor 'w' has shape \[-2\]/],
    ['fractional dim', craft({ w: f32([0, 8], [1.5]) }, 8), /tensor 'w' has shape \[1.5\]/],
    ['offsets not a pair', craft({ w: { dtype: 'F32', shape: [2], data_offsets: [0] } }, 8), /data_offsets \[0\]: expected \[begin, end\]/],
    ['end before begin', craft({ w: f32([8, 0]) }, 8), /data_offsets \[8, 0\]: end is before begin/],
    ['offsets past the end', craft({ w: f32([0, 8]) }, 4), /data_offsets \[0, 8\], past the end of the 4-byte data buffer/],
    ['byte size mismatch', craft({ w: f32([0, 12]) }, 12), /F32 of shape \[2\] needs 8 bytes but data_offsets \[0, 12\] span 12/],
    ['overlap', craft({ a: f32([0, 8]), b: f32([4, 12]) }, 12), /tensors 'a' \[0, 8\] and 'b' \[4, 12\] overlap/],
    ['gap', craft({ a: f32([0, 8]), b: f32([12, 20]) }, 20), /bytes \[8, 12\) of the data buffer belong to no tensor/],
    ['trailing bytes', craft({ a: f32([0, 8]) }, 10), /bytes \[8, 10\) of the data buffer belong to no tensor/],
    ['duplicated region', craft({ a: f32([0, 8]), b: f32([0, 8]) }, 8), /overlap/],
  ];
  it.each(cases)('%s', (_, bytes, message) => {
    expect(() => decodeSafetensors(bytes, 'w.safetensors')).toThrow(message);
    expect(() => decodeSafetensors(bytes, 'w.safetensors')).toThrow(WeightsFormatError);
    expect(() => decodeSafetensors(bytes, 'w.safetensors')).toThrow(DataError);
    expect(() => decodeSafetensors(bytes, 'w.safetensors')).toThrow(/^w\.safetensors: /);
  });

  it('accepts tensors listed out of offset order and empty tensors between them', () => {
    const bytes = craft({ b: f32([8, 16]), e: f32([8, 8], [0]), a: f32([0, 8]) }, 16);
    const file = decodeSafetensors(bytes);
    expect(Object.keys(file.tensors)).toEqual(['b', 'e', 'a']);
    expect(file.tensors.e!.data.length).toBe(0);
  });
});

describe('saveSafetensors / loadSafetensors', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dlp-st-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips through a file and leaves no temp file', async () => {
    const path = join(dir, 'model.safetensors');
    const tensors: SafetensorsTensors = { w: { dtype: 'F32', shape: [2], data: new Float32Array([1, 2]) } };
    await saveSafetensors(path, tensors, { setup: '1' });
    const file = await loadSafetensors(path);
    expectSameTensor(file.tensors.w, tensors.w!);
    expect(file.metadata).toEqual({ setup: '1' });
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
  });

  it('keeps the old file when the new tensors are invalid', async () => {
    const path = join(dir, 'model.safetensors');
    await saveSafetensors(path, { w: { dtype: 'U8', shape: [1], data: new Uint8Array([5]) } });
    const before = readFileSync(path);
    const bad = { w: { dtype: 'U8', shape: [2], data: new Uint8Array([5]) } } satisfies SafetensorsTensors;
    await expect(saveSafetensors(path, bad)).rejects.toBeInstanceOf(ArgumentError);
    expect(readFileSync(path)).toEqual(before);
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
  });

  it('names the file when it is missing or truncated', async () => {
    const missing = join(dir, 'nope.safetensors');
    await expect(loadSafetensors(missing)).rejects.toThrow(new RegExp(`cannot read weights ${missing}: no such file`));
    const truncated = join(dir, 'cut.safetensors');
    const full = encodeSafetensors({ w: { dtype: 'F64', shape: [4], data: new Float64Array(4) } });
    writeFileSync(truncated, full.subarray(0, full.byteLength - 3));
    const error = await loadSafetensors(truncated).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toMatch(new RegExp(`^${truncated}: tensor 'w' has data_offsets \\[0, 32\\], past the end`));
  });
});

describe('safetensors F16 and BF16 (written by the official writer from torch tensors)', () => {
  it('keeps their bits by default and converts them exactly to F32 when asked', () => {
    const want = expectedWeights.files.dtypes;
    const bytes = fixtureBytes('dtypes.safetensors');
    const raw = decodeSafetensors(bytes, 'dtypes.safetensors');
    const converted = decodeSafetensors(bytes, 'dtypes.safetensors', { halfToFloat32: true });
    for (const [name, w] of Object.entries(want)) {
      expectWeight(raw.tensors[name], w, name);
      expectWeight(converted.tensors[name], w, name, true);
    }
    expect(raw.tensors.f16!.dtype).toBe('F16');
    expect(converted.tensors.f16!.dtype).toBe('F32');
    expect(converted.tensors.f64!.dtype).toBe('F64');
  });

  it('converts every one of the 65536 float16 bit patterns as Math.fround of its value', () => {
    const bits = new Uint16Array(65536).map((_, i) => i);
    const f32 = float16BitsToFloat32(bits);
    for (let h = 0; h < 65536; h++) {
      const sign = h & 0x8000 ? -1 : 1;
      const e = (h >> 10) & 0x1f;
      const m = h & 0x3ff;
      const value = e === 0 ? sign * m * 2 ** -24 : e === 31 ? (m ? Number.NaN : sign * Infinity) : sign * (1 + m / 1024) * 2 ** (e - 15);
      if (Number.isNaN(value)) expect(Number.isNaN(f32[h])).toBe(true);
      else if (!Object.is(f32[h], value)) expect.fail(`float16 0x${h.toString(16)}: got ${f32[h]}, want ${value}`);
    }
  });

  it('converts bfloat16 to the float32 whose top half it is', () => {
    const f32 = bfloat16BitsToFloat32(new Uint16Array([0x3f80, 0xc049, 0x8000, 0x7f80, 0x0001]));
    expect(Array.from(f32)).toEqual([1, -3.140625, -0, Infinity, 2 ** -133]);
    expect(Object.is(f32[2], -0)).toBe(true);
  });
});
