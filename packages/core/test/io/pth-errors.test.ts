/**
 * What the PyTorch reader refuses, and how it says so: pickles that would run code, tensors
 * that reach outside their storage, and archives that are damaged or lie about their sizes.
 * Each case is built by hand (test/support/pickle-bytes.ts, zip-writer.ts) or from a real
 * torch.save archive with one thing changed; each must throw WeightsFormatError naming the
 * file and the place.
 */

import { describe, expect, it } from 'vitest';

import { WeightsFormatError } from '../../src/errors.js';
import { decodeLegacyPth } from '../../src/io/pth/legacy.js';
import { decodePth } from '../../src/io/pth/pth.js';
import { decodeWeights } from '../../src/io/weights.js';
import { nodeInflateRaw } from '../../src/io/load-weights.js';
import { op, pickle, tensorDictPickle } from '../support/pickle-bytes.js';
import { expectedWeights, expectWeight, fixtureBytes } from '../support/weight-fixtures.js';
import { readZip, writeZip, type ZipInput } from '../support/zip-writer.js';

/** A torch-like archive of one pickle and its storages. */
function archive(pkl: Uint8Array, storages: Record<string, Uint8Array> = {}, extra: ZipInput[] = []): Uint8Array {
  return writeZip([
    { name: 'archive/data.pkl', data: pkl },
    ...Object.entries(storages).map(([key, data]) => ({ name: `archive/data/${key}`, data })),
    { name: 'archive/version', data: new TextEncoder().encode('3\n') },
    ...extra,
  ]);
}

const floats = (...xs: number[]) => new Uint8Array(new Float32Array(xs).buffer);

function expectRefused(bytes: Uint8Array, message: RegExp, decode = (b: Uint8Array) => decodePth(b, { source: 'bad.pth' })): void {
  let error: unknown;
  try {
    decode(bytes);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(WeightsFormatError);
  expect((error as Error).message).toMatch(/^bad\.pth: /);
  expect((error as Error).message).toMatch(message);
}

describe('the pickle layer refuses what could run code', () => {
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['os.system', pickle(op.proto(), op.global('os', 'system'), op.str('echo hi'), op.raw(0x85), op.reduce(), op.stop()), /archive\/data\.pkl: byte 2 \(GLOBAL\): refused global os\.system: a weight file may only name/],
    ['builtins.eval', pickle(op.proto(), op.global('builtins', 'eval'), op.stop()), /refused global builtins\.eval/],
    ['torch.load', pickle(op.proto(), op.global('torch', 'load'), op.stop()), /refused global torch\.load/],
    ['a storage class it does not read', pickle(op.proto(), op.global('torch', 'QInt8Storage'), op.stop()), /storage class torch\.QInt8Storage holds elements dlp does not read/],
    ['NEWOBJ', pickle(op.proto(), op.emptyDict(), op.emptyTuple(), op.raw(0x81), op.stop()), /\(NEWOBJ\): this opcode is refused/],
    ['INST', pickle(op.proto(), op.raw(0x69), op.stop()), /\(INST\): this opcode is refused/],
    ['calling a storage class', pickle(op.proto(), op.global('torch', 'FloatStorage'), op.emptyTuple(), op.reduce(), op.stop()), /refused call of a StorageType/],
    ['calling a non-callable', pickle(op.proto(), op.int(3), op.emptyTuple(), op.reduce(), op.stop()), /refused call of a int or float/],
    ['BUILD on a list', pickle(op.proto(), op.emptyList(), op.emptyDict(), op.build(), op.stop()), /BUILD sets a dict on a list/],
    ['an unknown opcode', pickle(op.proto(), op.raw(0xff)), /\(0xff\): not a pickle opcode/],
    ['a text-protocol opcode', pickle(op.proto(), op.raw(0x49), op.stop()), /\(INT\): this opcode is refused/],
  ];
  it.each(cases)('%s', (_, pkl, message) => expectRefused(archive(pkl), message));

  it('refuses backward hooks that are not empty (hooks are code)', () => {
    const pkl = pickle(
      op.proto(), op.emptyDict(), op.str('w'),
      op.global('torch._utils', '_rebuild_tensor_v2'),
      op.mark(), op.mark(), op.str('storage'), op.global('torch', 'FloatStorage'), op.str('0'), op.str('cpu'), op.int(1), op.tuple(), op.binpersid(),
      op.int(0), op.mark(), op.int(1), op.tuple(), op.mark(), op.int(1), op.tuple(), op.false(),
      op.emptyDict(), op.int(1), op.int(2), op.setitem(), op.tuple(), op.reduce(), op.setitem(), op.stop(),
    );
    expectRefused(archive(pkl, { 0: floats(1) }), /backward hooks must be an empty OrderedDict/);
  });

  it('checks lengths against the bytes left before reading or allocating', () => {
    expectRefused(archive(pickle(op.proto(), op.strWithLength(0xffffffff))), /\(BINUNICODE\): needs 4294967295 bytes but only 0 are left/);
    expectRefused(archive(pickle(op.proto(), op.raw(0x8b, 0xff, 0xff, 0xff, 0x7f))), /\(LONG4\): an integer of 2147483647 bytes is too large/);
    expectRefused(archive(pickle(op.proto(), op.raw(0x8d, 0, 0, 0, 0, 0, 0, 0, 0x40))), /\(BINUNICODE8\): length 4611686018427387904 runs past the end/);
    expectRefused(archive(pickle(op.proto(), op.binget(9), op.stop())), /\(BINGET\): memo 9 was never stored/);
    expectRefused(archive(pickle(op.proto(), op.emptyDict())), /ends without a STOP opcode/);
    expectRefused(archive(pickle(op.proto(), op.tuple(), op.stop())), /\(TUPLE\): no MARK to pop to/);
    expectRefused(archive(pickle(op.proto(), op.setitem(), op.stop())), /\(SETITEM\): the stack is empty/);
    expectRefused(archive(pickle(op.proto(), op.emptyDict(), op.emptyList(), op.int(1), op.setitem(), op.stop())), /a dict key must be a str, int, float, bool or None, not a list/);
    expectRefused(archive(pickle(op.proto(), op.int(5), op.stop())), /holds a int or float, not a dict of tensors/);
  });
});

describe('tensors must stay inside their storages', () => {
  const one = (options: Parameters<typeof tensorDictPickle>[0], storage: Uint8Array) => archive(tensorDictPickle(options), { 0: storage });

  it('reads a well-formed hand-made tensor (the helper is right)', () => {
    const file = decodePth(one({ numel: 6, offset: 1, shape: [2, 2], stride: [1, 2] }, floats(0, 1, 2, 3, 4, 5)));
    expect(file.tensors.w).toEqual({ dtype: 'F32', shape: [2, 2], data: new Float32Array([1, 3, 2, 4]) });
  });

  it('refuses a view past the end, a broadcast view, mismatched shape and stride, and a short storage entry', () => {
    expectRefused(one({ numel: 4, offset: 1, shape: [4], stride: [1] }, floats(0, 1, 2, 3)), /storage '0' \(4 elements\): offset 1, shape \(4\) and stride \(1\) reach element 4, past its end/);
    expectRefused(one({ numel: 1, shape: [1000000000], stride: [0] }, floats(0)), /shape \(1000000000\) has more elements than the storage/);
    expectRefused(one({ numel: 4, shape: [2, 2], stride: [1] }, floats(0, 1, 2, 3)), /shape \(2,2\) and stride \(1\) differ in length/);
    expectRefused(one({ numel: 100, shape: [100], stride: [1] }, floats(0, 1)), /entry archive\/data\/0 holds 8 bytes, the storage needs 400 \(100 × F32\)/);
    expectRefused(one({ numel: 2 ** 40, shape: [2], stride: [1] }, floats(0, 1)), /holds 8 bytes, the storage needs 4398046511104/);
    expectRefused(archive(tensorDictPickle({ numel: 2, shape: [2], stride: [1] })), /storage '0' has no entry archive\/data\/0/);
  });
});

describe('damaged or lying archives', () => {
  const real = () => readZip(fixtureBytes('module.pth'));

  it('reads an archive whatever the order of its entries, and with torch 2.x’s byteorder entry', () => {
    const entries = real().reverse();
    entries.push({ name: 'module/byteorder', data: new TextEncoder().encode('little') });
    const file = decodePth(writeZip(entries));
    for (const [name, w] of Object.entries(expectedWeights.files.module)) expectWeight(file.tensors[name], w, name);
  });

  it('refuses a big-endian archive, a corrupt entry, a duplicate, a missing data.pkl and a short storage', () => {
    const withEntry = (name: string, data: Uint8Array) => writeZip(real().map((e) => (e.name === name ? { name, data } : e)));
    expectRefused(writeZip([...real(), { name: 'module/byteorder', data: new TextEncoder().encode('big') }]), /module\/byteorder says 'big': only little-endian/);
    expectRefused(withEntry('module/data/0', new Uint8Array(8)), /entry module\/data\/0 holds 8 bytes, the storage needs 96 \(24 × F32\)/);
    expectRefused(writeZip(real().filter((e) => e.name !== 'module/data.pkl')), /no <name>\/data\.pkl: not a torch\.save checkpoint/);
    expectRefused(writeZip([...real(), real()[1]!]), /entry 'module\/data\/0' appears twice/);
    const corrupt = fixtureBytes('module.pth');
    const at = findBytes(corrupt, new TextEncoder().encode('module/data/0')) + 'module/data/0'.length + 64; // inside the stored data
    corrupt[at] = corrupt[at]! ^ 0x10;
    expectRefused(corrupt, /fails its CRC-32 check .*: the file is corrupt/);
  });

  it('refuses a truncated archive, a central directory past its end, and a deflate entry claiming too much', () => {
    const bytes = fixtureBytes('module.pth');
    expectRefused(bytes.subarray(0, bytes.length - 30), /no end of central directory record \(truncated\?\)/);
    const inflate = { source: 'bad.pth', inflateRaw: nodeInflateRaw() };
    const deflated = writeZip([{ name: 'archive/data.pkl', data: new Uint8Array(1000), deflate: true }]);
    // central directory entry: uncompressed size at +24
    const central = findBytes(deflated, Uint8Array.of(0x50, 0x4b, 0x01, 0x02));
    new DataView(deflated.buffer).setUint32(central + 24, 0xfffffff0, true);
    expectRefused(deflated, /declares 4294967280 bytes from \d+ compressed bytes, more than deflate can give/, (b) => decodePth(b, inflate));
    const zeros = writeZip([{ name: 'archive/data.pkl', data: new Uint8Array(4 << 20), deflate: true }]); // 4 MiB in ~4 KiB
    expectRefused(zeros, /deflated entries declare more than \d+ bytes in all \(4 × the archive \+ 1 MiB\), the most dlp inflates/, (b) => decodePth(b, inflate));
    new DataView(deflated.buffer).setUint32(central + 24, 2000, true);
    expectRefused(deflated, /does not inflate to its declared 2000 bytes|inflates to 1000 bytes, not its declared 2000/, (b) => decodePth(b, inflate));
    const eocd = bytes.length - 22;
    const lying = bytes.slice();
    new DataView(lying.buffer).setUint32(eocd - 20 + 8, 0x7fffffff, true); // the ZIP64 locator's record offset
    expectRefused(lying, /ZIP64 end record offset 2147483647 is past the locator/);
  });
});

describe('the legacy format', () => {
  it('refuses truncation and trailing bytes, naming the place', () => {
    const bytes = fixtureBytes('module-legacy.pth');
    const decode = (b: Uint8Array) => decodeLegacyPth(b, { source: 'bad.pth' });
    expectRefused(bytes.subarray(0, bytes.length - 3), /storage '\d+' at byte \d+ says \d+ elements of \d bytes, but \d+ bytes are left/, decode);
    expectRefused(Uint8Array.from([...bytes, 0]), /1 bytes after the last storage belong to none/, decode);
    expectRefused(bytes.subarray(0, 40), /sys_info.*needs|sys_info.*STOP|truncated/, decode);
  });
});

describe('decodeWeights', () => {
  it('tells the formats apart by their first bytes', () => {
    expect(decodeWeights(fixtureBytes('module.pth')).format).toBe('pth');
    expect(decodeWeights(fixtureBytes('module-legacy.pth')).format).toBe('pth-legacy');
    expect(decodeWeights(fixtureBytes('module.safetensors')).format).toBe('safetensors');
    expect(decodeWeights(fixtureBytes('dtypes.pth')).tensors.f16!.dtype).toBe('F32');
    expect(decodeWeights(fixtureBytes('dtypes.pth'), { halfToFloat32: false }).tensors.f16!.dtype).toBe('F16');
  });

  it('refuses a file of no format it reads', () => {
    const png = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d);
    expectRefused(png, /^bad\.pth: not a weight file dlp reads/, (b) => decodeWeights(b, { source: 'bad.pth' }));
    expectRefused(new Uint8Array(0), /not a weight file dlp reads/, (b) => decodeWeights(b, { source: 'bad.pth' }));
  });
});

function findBytes(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  throw new Error('not found');
}
