/**
 * The pre-1.6 torch.save format (still written with `_use_new_zipfile_serialization=False`):
 * five pickles in a row — the magic number 0x1950a86a20f9469cfc6c, the protocol version 1001,
 * a sys_info dict (byte order, type sizes), the object itself, and the sorted list of storage
 * keys — then, for each key in that order, the storage's element count (int64, little-endian)
 * and its raw bytes. Pure, like ./pth.ts.
 */

import { WeightsFormatError } from '../../errors.js';
import { HOST_IS_LITTLE_ENDIAN, WEIGHT_DTYPE_INFO } from '../weight-dtypes.js';
import { PickleDict, PickleRefusal, unpickle, type PickleHooks } from './pickle.js';
import { PTH_OUTPUT_FACTOR, type DecodePthOptions, type PthFile } from './pth.js';
import { materializeTensors, namedTensorRefs } from './state-dict-tensors.js';
import { torchPickleHooks, type StorageRef } from './torch-pickle.js';

const MAGIC_NUMBER = 0x1950a86a20f9469cfc6cn;
const PROTOCOL_VERSION = 1001;
/** What a legacy file starts with: PROTO 2, LONG1 of 10 bytes (the magic number). */
const LEGACY_PREFIX = [0x80, 0x02, 0x8a, 0x0a];

export function isLegacyPth(bytes: Uint8Array): boolean {
  return bytes.byteLength >= LEGACY_PREFIX.length && LEGACY_PREFIX.every((b, i) => bytes[i] === b);
}

/** The plain data pickles of the header may hold dicts, lists and scalars only. */
const PLAIN_DATA_ONLY: PickleHooks = {
  global: (module, name) => {
    throw new PickleRefusal(`refused global ${module}.${name}: the legacy header is plain data`);
  },
  reduce: () => {
    throw new PickleRefusal('refused call: the legacy header is plain data');
  },
  persistentLoad: () => {
    throw new PickleRefusal('refused persistent id: the legacy header is plain data');
  },
  build: () => {
    throw new PickleRefusal('refused BUILD: the legacy header is plain data');
  },
};

export function decodeLegacyPth(bytes: Uint8Array, options: DecodePthOptions = {}): PthFile {
  const source = options.source ?? 'PyTorch checkpoint';
  const fail = (message: string): never => {
    throw new WeightsFormatError(`${source}: ${message}`);
  };
  if (!HOST_IS_LITTLE_ENDIAN) fail('this host is big-endian; dlp only reads little-endian data');
  const plain = (start: number, what: string) => unpickle(bytes, PLAIN_DATA_ONLY, `${source}: legacy ${what}`, start);

  const magic = plain(0, 'magic number');
  if (magic.value !== MAGIC_NUMBER) fail('does not start with torch\'s legacy magic number');
  const protocol = plain(magic.end, 'protocol version');
  if (protocol.value !== PROTOCOL_VERSION) fail(`legacy protocol version ${String(protocol.value)} (expected ${PROTOCOL_VERSION})`);
  const sysInfo = plain(protocol.end, 'sys_info');
  if (!(sysInfo.value instanceof PickleDict) || sysInfo.value.entries.get('little_endian') !== true) {
    fail('sys_info does not say little_endian: only little-endian checkpoints are read');
  }

  const hooks = torchPickleHooks({ legacy: true });
  const objectStart = sysInfo.end;
  const object = unpickle(bytes, hooks, `${source}: legacy pickle at byte ${objectStart}`, objectStart);
  const named = namedTensorRefs(object.value, `${source}: legacy pickle`, object.end - objectStart);
  const keys = plain(object.end, 'storage key list');
  if (!Array.isArray(keys.value) || !keys.value.every((k) => typeof k === 'string')) fail('the storage key list is not a list of strings');

  // Each storage's bytes follow in the key list's order: [int64 numel][numel × element size].
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const found = new Map<StorageRef, Uint8Array>();
  let at = keys.end;
  for (const key of keys.value as string[]) {
    const storage = hooks.storages.get(key);
    if (!storage) fail(`the storage key list names '${key.slice(0, 40)}', which no tensor uses`);
    if (found.has(storage!)) fail(`the storage key list names '${key}' twice`);
    if (at + 8 > bytes.byteLength) fail(`storage '${key}' at byte ${at}: the file ends before its size (truncated?)`);
    const numel = view.getBigInt64(at, true);
    const { size } = WEIGHT_DTYPE_INFO[storage!.dtype];
    const left = bytes.byteLength - at - 8;
    if (numel < 0n || numel * BigInt(size) > BigInt(left)) {
      fail(`storage '${key}' at byte ${at} says ${numel} elements of ${size} bytes, but ${left} bytes are left`);
    }
    if (Number(numel) < storage!.numel) fail(`storage '${key}' holds ${numel} elements, the pickle declares ${storage!.numel}`);
    const length = Number(numel) * size;
    found.set(storage!, bytes.subarray(at + 8, at + 8 + length));
    at += 8 + length;
  }
  if (at !== bytes.byteLength) fail(`${bytes.byteLength - at} bytes after the last storage belong to none`);

  const tensors = materializeTensors(named, {
    where: source,
    storageBytes: (storage) => found.get(storage) ?? fail(`storage '${storage.key}' is not in the storage key list`),
    budgetBytes: PTH_OUTPUT_FACTOR * bytes.byteLength + (1 << 20),
    halfToFloat32: options.halfToFloat32 === true,
  });
  return { tensors, metadata: {} };
}

