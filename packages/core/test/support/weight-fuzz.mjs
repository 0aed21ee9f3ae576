/**
 * Seeded mutations of weight files, for fuzzing the readers: shared by the vitest fuzz tests
 * (test/io/fuzz-*.test.ts) and the long-running script (scripts/fuzz-weights.mjs, against the
 * built dist). Plain JavaScript (types in weight-fuzz.d.mts) so that the script runs on Node
 * without a build step.
 *
 * Each `make*Case(corpus, rng)` takes pristine files and returns one mutated input aimed at one
 * layer: the safetensors header and buffer; the zip layer's records and fields; the pickle
 * inside an otherwise valid archive (re-zipped with correct CRCs, so the mutation reaches the
 * pickle reader instead of failing the CRC check); the storages (wrong sizes, missing,
 * duplicated, shuffled entries); and the legacy format.
 */

import { deflateRawSync, inflateRawSync } from 'node:zlib';

// ---------------------------------------------------------------- randomness

/** mulberry32: a small seeded generator; the same seed gives the same inputs everywhere. */
export function makeRng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    /** An integer in [0, n). */
    int: (n) => Math.floor(next() * n),
    pick: (items) => items[Math.floor(next() * items.length)],
    chance: (p) => next() < p,
  };
}

/** The seed of input `index` of a run seeded `seed` for reader number `stream`. */
export function caseSeed(seed, stream, index) {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(stream + 1, 0xc2b2ae35) ^ Math.imul(index + 1, 0x27d4eb2f)) >>> 0;
}

// ---------------------------------------------------------------- zip

let crcTable;
export function crc32(bytes) {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A zip archive of `entries` ({ name, data, deflate? }), with correct CRCs and sizes. */
export function writeZip(entries) {
  const enc = new TextEncoder();
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const e of entries) {
    const name = enc.encode(e.name);
    const body = e.deflate ? new Uint8Array(deflateRawSync(e.data)) : e.data;
    const crc = crc32(e.data);
    const local = new Uint8Array(30 + name.length + body.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(8, e.deflate ? 8 : 0, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, body.length, true);
    lv.setUint32(22, e.data.length, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    local.set(body, 30 + name.length);
    const central = new Uint8Array(46 + name.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(10, e.deflate ? 8 : 0, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, body.length, true);
    cv.setUint32(24, e.data.length, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    central.set(name, 46);
    locals.push(local);
    centrals.push(central);
    offset += local.length;
  }
  const directorySize = centrals.reduce((n, c) => n + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, directorySize, true);
  ev.setUint32(16, offset, true);
  const out = new Uint8Array(offset + directorySize + 22);
  let at = 0;
  for (const part of [...locals, ...centrals, end]) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * The entries of a well-formed archive (a pristine fixture; no checks), deflated ones inflated:
 * [{ name, data }] in central-directory order. ZIP64 end records are followed.
 */
export function readZip(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = bytes.length - 22;
  while (view.getUint32(eocd, true) !== 0x06054b50) eocd--;
  let count = view.getUint16(eocd + 10, true);
  let at = view.getUint32(eocd + 16, true);
  if (eocd >= 20 && view.getUint32(eocd - 20, true) === 0x07064b50) {
    const record = Number(view.getBigUint64(eocd - 12, true));
    count = Number(view.getBigUint64(record + 32, true));
    at = Number(view.getBigUint64(record + 48, true));
  }
  const dec = new TextDecoder();
  const out = [];
  for (let i = 0; i < count; i++) {
    const method = view.getUint16(at + 10, true);
    const compressed = view.getUint32(at + 20, true);
    const nameLength = view.getUint16(at + 28, true);
    const name = dec.decode(bytes.subarray(at + 46, at + 46 + nameLength));
    const local = view.getUint32(at + 42, true);
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    const raw = bytes.slice(start, start + compressed);
    out.push({ name, data: method === 8 ? new Uint8Array(inflateRawSync(raw)) : raw });
    at += 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return out;
}

// ---------------------------------------------------------------- generic byte mutations

const U16_VALUES = [0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xfffe, 0xffff];
const U32_VALUES = [0, 1, 0x7f, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0x10000, 0x100000];
const U64_VALUES = [0n, 1n, 0xffffffffn, 0x100000000n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 62n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n];

function writeU16(out, at, value) {
  if (at < 0 || at + 2 > out.length) return;
  new DataView(out.buffer, out.byteOffset).setUint16(at, value & 0xffff, true);
}
function writeU32(out, at, value) {
  if (at < 0 || at + 4 > out.length) return;
  new DataView(out.buffer, out.byteOffset).setUint32(at, value >>> 0, true);
}
function writeU64(out, at, value) {
  if (at < 0 || at + 8 > out.length) return;
  new DataView(out.buffer, out.byteOffset).setBigUint64(at, BigInt.asUintN(64, value), true);
}

function interestingU32(rng, current, length) {
  return rng.pick([...U32_VALUES, current + 1, current - 1, current * 2, length, length + 1, length - 1, rng.int(0x100000000), current + rng.int(64) - 32]);
}
function interestingU64(rng, current, length) {
  return rng.pick([...U64_VALUES, current + 1n, current - 1n, BigInt(length), BigInt(length) + 1n, BigInt(rng.int(0x100000000)) << 20n]);
}

/** One to three random edits of any kind, anywhere. */
export function mutateBytes(input, rng) {
  let out = input.slice();
  const edits = 1 + rng.int(3);
  for (let e = 0; e < edits; e++) {
    const n = out.length;
    switch (rng.int(9)) {
      case 0: // bit flips
        for (let k = 1 + rng.int(4); k > 0 && n > 0; k--) out[rng.int(n)] ^= 1 << rng.int(8);
        break;
      case 1: // an interesting byte
        if (n > 0) out[rng.int(n)] = rng.pick([0, 1, 0x7f, 0x80, 0xff, rng.int(256)]);
        break;
      case 2: // truncation
        out = out.slice(0, rng.int(n + 1));
        break;
      case 3: { // delete a chunk
        const at = rng.int(n + 1);
        const len = 1 + rng.int(32);
        out = Uint8Array.from([...out.subarray(0, at), ...out.subarray(Math.min(n, at + len))]);
        break;
      }
      case 4: { // insert random bytes
        const at = rng.int(n + 1);
        const extra = Uint8Array.from({ length: 1 + rng.int(16) }, () => rng.int(256));
        out = Uint8Array.from([...out.subarray(0, at), ...extra, ...out.subarray(at)]);
        break;
      }
      case 5: { // copy a chunk over another
        if (n < 2) break;
        const from = rng.int(n);
        const to = rng.int(n);
        const len = Math.min(1 + rng.int(64), n - from, n - to);
        out.copyWithin(to, from, from + len);
        break;
      }
      case 6: // a 32-bit field set to an interesting value
        if (n >= 4) {
          const at = rng.int(n - 3);
          writeU32(out, at, interestingU32(rng, new DataView(out.buffer).getUint32(at, true), n));
        }
        break;
      case 7: // a 64-bit field set to an interesting value
        if (n >= 8) {
          const at = rng.int(n - 7);
          writeU64(out, at, interestingU64(rng, new DataView(out.buffer).getBigUint64(at, true), n));
        }
        break;
      default: // a 16-bit field
        if (n >= 2) writeU16(out, rng.int(n - 1), rng.pick(U16_VALUES));
    }
  }
  return out;
}

// ---------------------------------------------------------------- safetensors

/** Mutates the JSON header's meaning (valid JSON, wrong content), its length field, or any bytes. */
export function makeSafetensorsCase(corpus, rng) {
  const input = rng.pick(corpus);
  const choice = rng.int(10);
  if (choice < 3) return mutateBytes(input, rng);
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (choice === 3) {
    const out = input.slice();
    writeU64(out, 0, rng.pick([...U64_VALUES, BigInt(n + 8 * (rng.int(5) - 2)), BigInt(input.length), BigInt(input.length - 8), 100000000n]));
    return out;
  }
  const header = JSON.parse(new TextDecoder().decode(input.subarray(8, 8 + n)));
  const names = Object.keys(header).filter((k) => k !== '__metadata__');
  const huge = () => rng.pick([2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, 1e300, -1, -(2 ** 31), 0.5, 'x', null, [], {}]);
  const edits = 1 + rng.int(3);
  for (let e = 0; e < edits; e++) {
    const name = rng.pick(names.length > 0 ? names : ['x']);
    const entry = (header[name] ??= { dtype: 'F32', shape: [1], data_offsets: [0, 4] });
    if (typeof entry !== 'object' || entry === null) continue;
    switch (rng.int(9)) {
      case 0:
        entry.dtype = rng.pick(['F32', 'F64', 'F16', 'BF16', 'I64', 'I32', 'I16', 'I8', 'U8', 'BOOL', 'U16', 'F8_E4M3', 'C64', 'Q4', 7, null]);
        break;
      case 1:
        if (Array.isArray(entry.shape) && entry.shape.length > 0) entry.shape[rng.int(entry.shape.length)] = huge();
        else entry.shape = [huge()];
        break;
      case 2:
        entry.shape = Array.isArray(entry.shape) ? [...entry.shape, rng.pick([0, 1, 2, 2 ** 20])] : huge();
        break;
      case 3:
        if (Array.isArray(entry.data_offsets)) entry.data_offsets[rng.int(2)] = rng.chance(0.5) ? huge() : entry.data_offsets[rng.int(2)] + rng.int(9) - 4;
        break;
      case 4:
        entry.data_offsets = rng.pick([[0], [0, 1, 2], 'x', null, [-4, 0], [2 ** 53, 2 ** 53 + 4]]);
        break;
      case 5:
        delete header[name];
        break;
      case 6:
        header[`${name}_copy`] = { ...entry };
        break;
      case 7:
        header.__metadata__ = rng.pick([{ a: 1 }, [], 'x', { a: 'b' }, null]);
        break;
      default:
        header[name] = rng.pick([3, 'x', null, [], { dtype: 'F32' }]);
    }
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded + (input.length - 8 - n)).fill(0x20, 8 + json.length, 8 + padded);
  writeU64(out, 0, BigInt(padded));
  out.set(json, 8);
  out.set(input.subarray(8 + n), 8 + padded);
  return rng.chance(0.2) ? mutateBytes(out, rng) : out;
}

// ---------------------------------------------------------------- zip layer

/** The byte offsets of every zip record signature in `bytes`, with their kind. */
function zipRecords(bytes) {
  const out = [];
  for (let i = 0; i + 4 <= bytes.length; i++) {
    if (bytes[i] !== 0x50 || bytes[i + 1] !== 0x4b) continue;
    const kind = (bytes[i + 2] << 8) | bytes[i + 3];
    if ([0x0304, 0x0102, 0x0506, 0x0606, 0x0607].includes(kind)) out.push({ at: i, kind });
  }
  return out;
}

/** Each record kind's fields: [offset, width in bytes]. */
const ZIP_FIELDS = {
  0x0304: [[6, 2], [8, 2], [14, 4], [18, 4], [22, 4], [26, 2], [28, 2]],
  0x0102: [[8, 2], [10, 2], [16, 4], [20, 4], [24, 4], [28, 2], [30, 2], [32, 2], [42, 4]],
  0x0506: [[4, 2], [8, 2], [10, 2], [12, 4], [16, 4], [20, 2]],
  0x0606: [[24, 8], [32, 8], [40, 8], [48, 8]],
  0x0607: [[8, 8], [16, 4]],
};

/** A field of a zip record (sizes, offsets, counts, name lengths, methods) set to a value that lies, or any bytes mutated. */
export function makeZipCase(corpus, rng) {
  const input = rng.pick(corpus);
  if (rng.chance(0.25)) return mutateBytes(input, rng);
  const out = input.slice();
  const records = zipRecords(out);
  const view = new DataView(out.buffer);
  for (let e = 1 + rng.int(2); e > 0; e--) {
    const record = rng.pick(records);
    const [offset, width] = rng.pick(ZIP_FIELDS[record.kind]);
    const at = record.at + offset;
    if (at + width > out.length) continue;
    if (width === 2) writeU16(out, at, rng.pick([...U16_VALUES, view.getUint16(at, true) + 1, view.getUint16(at, true) - 1, 8, 12, 99]));
    else if (width === 4) writeU32(out, at, interestingU32(rng, view.getUint32(at, true), out.length));
    else writeU64(out, at, interestingU64(rng, view.getBigUint64(at, true), out.length));
  }
  return out;
}

// ---------------------------------------------------------------- pickle layer

/** How each opcode's argument is laid out: a fixed width, a length prefix of some width, or lines. */
const ARGS = {
  0x80: ['fixed', 1], 0x4b: ['fixed', 1], 0x4d: ['fixed', 2], 0x4a: ['fixed', 4], 0x71: ['fixed', 1], 0x72: ['fixed', 4],
  0x68: ['fixed', 1], 0x6a: ['fixed', 4], 0x47: ['fixed', 8], 0x95: ['fixed', 8],
  0x8c: ['prefixed', 1], 0x58: ['prefixed', 4], 0x8d: ['prefixed', 8], 0x43: ['prefixed', 1], 0x42: ['prefixed', 4],
  0x8e: ['prefixed', 8], 0x8a: ['prefixed', 1], 0x8b: ['prefixed', 4], 0x54: ['prefixed', 4], 0x55: ['prefixed', 1],
  0x63: ['lines', 2],
};
const NO_ARG_OPS = [0x2e, 0x28, 0x29, 0x74, 0x85, 0x86, 0x87, 0x5d, 0x6c, 0x61, 0x65, 0x7d, 0x64, 0x73, 0x75, 0x4e, 0x88, 0x89, 0x94, 0x93, 0x52, 0x62, 0x51, 0x30, 0x31, 0x32];
const REFUSED_OPS = [0x69, 0x6f, 0x81, 0x92, 0x82, 0x50, 0x49, 0x4c, 0x46, 0x53, 0x56, 0x70, 0x67, 0x8f, 0x90];

/**
 * The opcodes of the pickle starting at `start`, up to and including its STOP:
 * [{ at, op, argAt, argLength, prefixWidth }]. Stops early at anything it cannot walk.
 */
export function pickleOps(bytes, start = 0) {
  const ops = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = start;
  while (at < bytes.length) {
    const op = bytes[at];
    const spec = ARGS[op];
    let argLength = 0;
    let prefixWidth = 0;
    if (spec?.[0] === 'fixed') argLength = spec[1];
    else if (spec?.[0] === 'prefixed') {
      prefixWidth = spec[1];
      if (at + 1 + prefixWidth > bytes.length) break;
      const n = prefixWidth === 1 ? bytes[at + 1] : prefixWidth === 4 ? view.getUint32(at + 1, true) : Number(view.getBigUint64(at + 1, true));
      argLength = prefixWidth + n;
    } else if (spec?.[0] === 'lines') {
      let end = at + 1;
      for (let lines = 0; lines < 2 && end < bytes.length; end++) if (bytes[end] === 0x0a) lines++;
      argLength = end - at - 1;
    } else if (!NO_ARG_OPS.includes(op)) break;
    if (at + 1 + argLength > bytes.length) break;
    ops.push({ at, op, argAt: at + 1, argLength, prefixWidth });
    at += 1 + argLength;
    if (op === 0x2e) break;
  }
  return ops;
}

const GLOBAL_SWAPS = [
  'os\nsystem\n', 'builtins\neval\n', 'torch\nload\n', 'collections\nOrderedDict\n', 'torch._utils\n_rebuild_tensor_v2\n',
  'torch._utils\n_rebuild_parameter\n', 'torch\nFloatStorage\n', 'torch\nHalfStorage\n', 'torch\nLongStorage\n',
  'torch\nQInt8Storage\n', 'torch\nComplexFloatStorage\n', '\n\n', 'x'.repeat(300) + '\n',
];

/** A pickle edited opcode-wise: lengths and integers set to values that lie, opcodes swapped, dropped, repeated or moved. */
export function mutatePickle(pkl, rng, start = 0) {
  const ops = pickleOps(pkl, start);
  if (ops.length === 0 || rng.chance(0.15)) return mutateBytes(pkl, rng);
  let out = pkl.slice();
  const view = () => new DataView(out.buffer);
  const op = rng.pick(ops);
  const splice = (at, remove, insert) => {
    out = Uint8Array.from([...out.subarray(0, at), ...insert, ...out.subarray(at + remove)]);
  };
  switch (rng.int(9)) {
    case 0: { // a length prefix that lies
      const prefixed = ops.filter((o) => o.prefixWidth > 0);
      const o = prefixed.length > 0 ? rng.pick(prefixed) : op;
      if (o.prefixWidth === 1) out[o.argAt] = rng.pick([0, 1, 0xff, out[o.argAt] + 1, out[o.argAt] - 1]);
      else if (o.prefixWidth === 4) writeU32(out, o.argAt, interestingU32(rng, view().getUint32(o.argAt, true), out.length));
      else if (o.prefixWidth === 8) writeU64(out, o.argAt, interestingU64(rng, view().getBigUint64(o.argAt, true), out.length));
      break;
    }
    case 1: { // an integer (numel, size, stride, offset, memo index) set to an extreme
      const ints = ops.filter((o) => [0x4b, 0x4d, 0x4a, 0x71, 0x68, 0x72, 0x6a].includes(o.op));
      const o = ints.length > 0 ? rng.pick(ints) : op;
      if (o.argLength === 1) out[o.argAt] = rng.pick([0, 1, 2, 0xff, rng.int(256)]);
      else if (o.argLength === 2) writeU16(out, o.argAt, rng.pick(U16_VALUES));
      else if (o.argLength === 4) writeU32(out, o.argAt, interestingU32(rng, view().getUint32(o.argAt, true), out.length));
      break;
    }
    case 2: { // a big integer where a small one was: BININT1 -> LONG1 of 8 bytes
      const small = ops.filter((o) => o.op === 0x4b);
      if (small.length === 0) break;
      const o = rng.pick(small);
      const value = rng.pick([2n ** 31n, 2n ** 40n, 2n ** 53n, 2n ** 62n, -1n, -(2n ** 63n)]);
      splice(o.at, 2, [0x8a, 8, ...new Uint8Array(new BigInt64Array([value]).buffer)]);
      break;
    }
    case 3: // an opcode byte replaced
      out[op.at] = rng.chance(0.5) ? rng.pick([...NO_ARG_OPS, ...REFUSED_OPS, ...Object.keys(ARGS).map(Number)]) : rng.int(256);
      break;
    case 4: // an opcode dropped
      splice(op.at, 1 + op.argLength, []);
      break;
    case 5: // an opcode repeated
      splice(op.at, 0, out.slice(op.at, op.at + 1 + op.argLength));
      break;
    case 6: { // an opcode moved
      const to = rng.pick(ops).at;
      const moved = out.slice(op.at, op.at + 1 + op.argLength);
      splice(op.at, moved.length, []);
      const at = Math.min(to, out.length);
      splice(at, 0, moved);
      break;
    }
    case 7: { // a GLOBAL naming something else
      const globals = ops.filter((o) => o.op === 0x63);
      if (globals.length === 0) break;
      const o = rng.pick(globals);
      splice(o.argAt, o.argLength, new TextEncoder().encode(rng.pick(GLOBAL_SWAPS)));
      break;
    }
    default: // a no-argument opcode inserted
      splice(op.at, 0, [rng.pick([...NO_ARG_OPS, ...REFUSED_OPS])]);
  }
  return rng.chance(0.1) ? mutateBytes(out, rng) : out;
}

/** A torch archive whose data.pkl is mutated, re-zipped with correct CRCs. */
export function makePickleCase(archives, rng) {
  const entries = rng.pick(archives).map((e) => ({ ...e }));
  const pkl = entries.find((e) => e.name.endsWith('/data.pkl'));
  pkl.data = mutatePickle(pkl.data, rng);
  return writeZip(entries);
}

/** A torch archive with storages of the wrong size, missing, duplicated, renamed or reordered, or a byteorder entry. */
export function makeStorageCase(archives, rng) {
  let entries = rng.pick(archives).map((e) => ({ ...e }));
  const prefix = entries.find((e) => e.name.endsWith('/data.pkl')).name.slice(0, -'data.pkl'.length);
  const storages = entries.filter((e) => e.name.startsWith(`${prefix}data/`));
  for (let e = 1 + rng.int(2); e > 0; e--) {
    const s = storages.length > 0 ? rng.pick(storages) : entries[0];
    switch (rng.int(8)) {
      case 0:
        s.data = s.data.slice(0, rng.int(s.data.length + 1));
        break;
      case 1: {
        const longer = new Uint8Array(s.data.length + 1 + rng.int(64));
        longer.set(s.data);
        s.data = longer;
        break;
      }
      case 2:
        entries = entries.filter((x) => x !== s);
        break;
      case 3:
        entries.push({ name: s.name, data: s.data });
        break;
      case 4:
        s.name = `${prefix}data/${rng.pick(['0', '1', '99', '', 'x', '../0'])}`;
        break;
      case 5:
        for (let i = entries.length - 1; i > 0; i--) {
          const j = rng.int(i + 1);
          [entries[i], entries[j]] = [entries[j], entries[i]];
        }
        break;
      case 6:
        entries.push({ name: `${prefix}byteorder`, data: new TextEncoder().encode(rng.pick(['little', 'big', '', 'x'.repeat(40)])) });
        break;
      default:
        s.deflate = true;
    }
  }
  return writeZip(entries);
}

/** The legacy format: any bytes, its pickles opcode-wise, or a storage's int64 element count. */
export function makeLegacyCase(corpus, rng) {
  const input = rng.pick(corpus);
  const choice = rng.int(4);
  if (choice === 0) return mutateBytes(input, rng);
  // the five pickles' starts: magic, protocol, sys_info, object, storage keys
  const starts = [0];
  for (let i = 0; i < 5; i++) {
    const ops = pickleOps(input, starts[i]);
    const last = ops[ops.length - 1];
    starts.push(last ? last.at + 1 : input.length);
  }
  if (choice === 1) {
    const out = input.slice();
    writeU64(out, starts[5], interestingU64(rng, 0n, input.length));
    return out;
  }
  const which = rng.pick([2, 3, 3, 3, 4]);
  const before = input.subarray(0, starts[which]);
  const pickled = input.subarray(starts[which], starts[which + 1]);
  const after = input.subarray(starts[which + 1]);
  return Uint8Array.from([...before, ...mutatePickle(pickled, rng), ...after]);
}

// ---------------------------------------------------------------- the oracle

/**
 * Runs `decode(bytes)`: 'accepted' (with its tensors checked for consistency and for taking no
 * more than `maxOutputFactor` × the input), 'rejected' (the typed error), or throws what went wrong.
 */
export function checkOutcome(decode, bytes, ErrorClass, maxOutputFactor = 4) {
  let file;
  try {
    file = decode(bytes);
  } catch (error) {
    if (error instanceof ErrorClass) return 'rejected';
    throw error;
  }
  let total = 0;
  const counted = new Set();
  for (const [name, t] of Object.entries(file.tensors)) {
    const numel = t.shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== numel) throw new Error(`accepted tensor '${name}' has ${t.data.length} values for shape [${t.shape}]`);
    if (!counted.has(t.data)) total += t.data.byteLength; // a tensor named twice shares one array
    counted.add(t.data);
  }
  if (total > maxOutputFactor * bytes.length + (1 << 20)) throw new Error(`accepted tensors take ${total} bytes from a ${bytes.length}-byte input`);
  return 'accepted';
}
