/** Hand-written pickles for tests: opcodes as bytes, so a test can say exactly what a file holds. */

const enc = new TextEncoder();

function u32(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
}

/** LONG1: a signed little-endian integer of 8 bytes. */
function long1(n: bigint): number[] {
  const bytes = new Uint8Array(new BigInt64Array([n]).buffer);
  return [0x8a, 8, ...bytes];
}

export const op = {
  proto: (n = 2) => [0x80, n],
  stop: () => [0x2e],
  mark: () => [0x28],
  tuple: () => [0x74],
  emptyTuple: () => [0x29],
  emptyDict: () => [0x7d],
  emptyList: () => [0x5d],
  append: () => [0x61],
  setitem: () => [0x73],
  setitems: () => [0x75],
  reduce: () => [0x52],
  build: () => [0x62],
  binpersid: () => [0x51],
  none: () => [0x4e],
  false: () => [0x89],
  true: () => [0x88],
  int: (n: number) => (n >= 0 && n < 256 ? [0x4b, n] : Math.abs(n) < 2 ** 31 ? [0x4a, ...u32(n)] : long1(BigInt(n))),
  str: (s: string) => {
    const b = enc.encode(s);
    return [0x58, ...u32(b.length), ...b];
  },
  /** BINUNICODE claiming `length` bytes whatever follows. */
  strWithLength: (length: number) => [0x58, ...u32(length)],
  global: (module: string, name: string) => [0x63, ...enc.encode(`${module}\n${name}\n`)],
  binput: (i: number) => [0x71, i],
  binget: (i: number) => [0x68, i],
  raw: (...bytes: number[]) => bytes,
};

export function pickle(...parts: number[][]): Uint8Array {
  return Uint8Array.from(parts.flat());
}

/**
 * The pickle of `OrderedDict({name: _rebuild_tensor_v2(storage, offset, shape, stride, False, OrderedDict())})`
 * for one tensor on storage `key` of `storageClass` with `numel` elements, as torch.save writes it.
 */
export function tensorDictPickle(options: {
  name?: string;
  storageClass?: string;
  key?: string;
  numel: number;
  offset?: number;
  shape: number[];
  stride: number[];
}): Uint8Array {
  const { name = 'w', storageClass = 'FloatStorage', key = '0', numel, offset = 0, shape, stride } = options;
  const ints = (xs: number[]) => [...op.mark(), ...xs.flatMap(op.int), ...op.tuple()];
  return pickle(
    op.proto(2),
    op.global('collections', 'OrderedDict'), op.binput(0), op.emptyTuple(), op.reduce(),
    op.str(name),
    op.global('torch._utils', '_rebuild_tensor_v2'),
    op.mark(),
    op.mark(), op.str('storage'), op.global('torch', storageClass), op.str(key), op.str('cpu'), op.int(numel), op.tuple(),
    op.binpersid(),
    op.int(offset), ints(shape), ints(stride), op.false(),
    op.binget(0), op.emptyTuple(), op.reduce(),
    op.tuple(), op.reduce(),
    op.setitem(), op.stop(),
  );
}
