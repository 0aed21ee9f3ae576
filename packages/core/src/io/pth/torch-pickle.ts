/**
 * What a PyTorch state dict's pickle may contain, and nothing more (PyTorch's own
 * `weights_only=True` allows a similar list): `collections.OrderedDict`, the tensor rebuild
 * functions `torch._utils._rebuild_tensor_v2` / `_rebuild_parameter` /
 * `_rebuild_parameter_with_state`, the typed storage classes (`torch.FloatStorage`, ...) in
 * persistent ids, and BUILD setting attributes (a state dict's `_metadata`) on a dict. Any other
 * GLOBAL, REDUCE or BUILD is refused, so loading a weight file never runs code.
 *
 * Tensors come out as TensorRefs (storage, offset, shape, stride), checked against the
 * storage's declared element count; ./pth.ts copies their elements out once the storages'
 * bytes are known.
 */

import { PickleDict, PickleRefusal, PickleTuple, describePickleValue, type PickleHooks } from './pickle.js';
import type { WeightDType } from '../weight-dtypes.js';

/** torch's typed storage classes and the dtype of their elements. */
const STORAGE_DTYPES: Readonly<Record<string, WeightDType>> = {
  DoubleStorage: 'F64',
  FloatStorage: 'F32',
  HalfStorage: 'F16',
  BFloat16Storage: 'BF16',
  LongStorage: 'I64',
  IntStorage: 'I32',
  ShortStorage: 'I16',
  CharStorage: 'I8',
  ByteStorage: 'U8',
  BoolStorage: 'BOOL',
};

/** torch has at most 64 dimensions. */
const MAX_RANK = 64;

/** A storage class named by a GLOBAL (`torch.FloatStorage`). */
export class StorageType {
  constructor(
    readonly name: string,
    readonly dtype: WeightDType,
  ) {}
}

/** A storage named by a persistent id: its bytes are `archive/data/<key>` (or follow a legacy file's pickles). */
export class StorageRef {
  constructor(
    readonly key: string,
    readonly dtype: WeightDType,
    /** Elements, as the persistent id declares them. */
    readonly numel: number,
  ) {}
}

/** A tensor: a strided view of a storage. */
export class TensorRef {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly shape: number[],
    readonly stride: number[],
    readonly numel: number,
  ) {}
}

/** The callables a state dict's pickle may name. */
class TorchCallable {
  constructor(readonly name: string) {}
}
const ORDERED_DICT = new TorchCallable('collections.OrderedDict');
const REBUILD_TENSOR_V2 = new TorchCallable('torch._utils._rebuild_tensor_v2');
const REBUILD_PARAMETER = new TorchCallable('torch._utils._rebuild_parameter');
const REBUILD_PARAMETER_WITH_STATE = new TorchCallable('torch._utils._rebuild_parameter_with_state');
const CALLABLES = new Map([ORDERED_DICT, REBUILD_TENSOR_V2, REBUILD_PARAMETER, REBUILD_PARAMETER_WITH_STATE].map((c) => [c.name, c]));

function refuse(message: string): never {
  throw new PickleRefusal(message);
}

function count(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    refuse(`${what} is ${typeof value === 'number' || typeof value === 'bigint' ? String(value) : `a ${describePickleValue(value)}`}, not a non-negative integer`);
  }
  return value as number;
}

function counts(value: unknown, what: string): number[] {
  if (!(value instanceof PickleTuple)) refuse(`${what} is a ${describePickleValue(value)}, not a tuple`);
  const items = (value as PickleTuple).items;
  if (items.length > MAX_RANK) refuse(`${what} has ${items.length} dimensions (at most ${MAX_RANK})`);
  return items.map((v, i) => count(v, `${what}[${i}]`));
}

/** Checks a strided view against its storage's declared size and returns its element count. */
function checkView(storage: StorageRef, offset: number, shape: number[], stride: number[]): number {
  const where = `tensor on storage '${storage.key}' (${storage.numel} elements)`;
  if (shape.length !== stride.length) refuse(`${where}: shape (${shape}) and stride (${stride}) differ in length`);
  if (shape.includes(0)) {
    if (offset > storage.numel) refuse(`${where}: storage offset ${offset} is past its end`);
    return 0;
  }
  let numel = 1;
  let last = offset;
  for (let i = 0; i < shape.length; i++) {
    numel *= shape[i]!;
    // a tensor cannot view more elements than its storage holds: broadcast (stride 0) views
    // would let a few bytes of file ask for any amount of memory
    if (numel > storage.numel) refuse(`${where}: shape (${shape}) has more elements than the storage`);
    last += (shape[i]! - 1) * stride[i]!;
  }
  if (!Number.isSafeInteger(last) || last >= storage.numel) {
    refuse(`${where}: offset ${offset}, shape (${shape}) and stride (${stride}) reach element ${last}, past its end`);
  }
  return numel;
}

/** The hooks that read a torch.save pickle; `legacy` for the pre-1.6 format's persistent ids. */
export function torchPickleHooks(options: { legacy?: boolean } = {}): PickleHooks & { storages: ReadonlyMap<string, StorageRef> } {
  const storages = new Map<string, StorageRef>();
  return {
    /** The storages the persistent ids named, by key. */
    storages,
    global(module, name) {
      const callable = CALLABLES.get(`${module}.${name}`);
      if (callable) return callable;
      if (module === 'torch' && Object.prototype.hasOwnProperty.call(STORAGE_DTYPES, name)) return new StorageType(name, STORAGE_DTYPES[name]!);
      if (module === 'torch' && name.endsWith('Storage')) refuse(`storage class torch.${name} holds elements dlp does not read`);
      return refuse(
        `refused global ${module}.${name}: a weight file may only name OrderedDict, torch's storage classes and its tensor rebuild functions (loading never runs code)`,
      );
    },

    reduce(callable, args) {
      const a = args.items;
      if (callable === ORDERED_DICT) {
        if (a.length !== 0) refuse('OrderedDict is called with arguments; torch.save calls it with none');
        return new PickleDict('OrderedDict');
      }
      if (callable === REBUILD_TENSOR_V2) {
        // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
        if (a.length !== 6 && a.length !== 7) refuse(`_rebuild_tensor_v2 takes 6 or 7 arguments, got ${a.length}`);
        const storage = a[0];
        if (!(storage instanceof StorageRef)) refuse(`_rebuild_tensor_v2's storage is a ${describePickleValue(storage)}, not a storage`);
        const offset = count(a[1], 'storage offset');
        const shape = counts(a[2], 'size');
        const stride = counts(a[3], 'stride');
        if (typeof a[4] !== 'boolean') refuse(`requires_grad is a ${describePickleValue(a[4])}, not a bool`);
        const hooks = a[5];
        if (!(hooks instanceof PickleDict) || hooks.entries.size > 0) refuse('backward hooks must be an empty OrderedDict (hooks are code)');
        const ref = storage as StorageRef;
        return new TensorRef(ref, offset, shape, stride, checkView(ref, offset, shape, stride));
      }
      if (callable === REBUILD_PARAMETER || callable === REBUILD_PARAMETER_WITH_STATE) {
        // (data, requires_grad, backward_hooks[, state]): a Parameter is its data here
        const { name } = callable as TorchCallable;
        const expected = callable === REBUILD_PARAMETER ? 3 : 4;
        if (a.length !== expected) refuse(`${name} takes ${expected} arguments, got ${a.length}`);
        if (!(a[0] instanceof TensorRef)) refuse(`${name}'s data is a ${describePickleValue(a[0])}, not a tensor`);
        const hooks = a[2];
        if (!(hooks instanceof PickleDict) || hooks.entries.size > 0) refuse('backward hooks must be an empty OrderedDict (hooks are code)');
        return a[0];
      }
      return refuse(`refused call of a ${callable instanceof TorchCallable ? callable.name : describePickleValue(callable)}: only OrderedDict and the tensor rebuild functions are called`);
    },

    persistentLoad(pid) {
      // ('storage', storage_type, key, location, numel) — the legacy format adds view_metadata (None)
      if (!(pid instanceof PickleTuple) || pid.items[0] !== 'storage') refuse(`persistent id is not a ('storage', ...) tuple`);
      const items = (pid as PickleTuple).items;
      const expected = options.legacy === true ? 6 : 5;
      if (items.length !== expected) refuse(`a storage's persistent id has ${items.length} items, not ${expected}`);
      if (options.legacy === true && items[5] !== null) refuse('storage views of the legacy format are not read');
      const type = items[1];
      if (!(type instanceof StorageType)) refuse(`storage type is a ${describePickleValue(type)}, not a torch storage class`);
      const key = items[2];
      if (typeof key !== 'string') refuse(`storage key is a ${describePickleValue(key)}, not a str`);
      if (typeof items[3] !== 'string') refuse(`storage location is a ${describePickleValue(items[3])}, not a str`);
      const numel = count(items[4], `storage '${key as string}' size`);
      const { dtype } = type as StorageType;
      const known = storages.get(key as string);
      if (known) {
        if (known.dtype !== dtype || known.numel !== numel) {
          refuse(`storage '${known.key}' is declared twice: ${known.dtype} × ${known.numel} and ${dtype} × ${numel}`);
        }
        return known;
      }
      const ref = new StorageRef(key as string, dtype, numel);
      storages.set(ref.key, ref);
      return ref;
    },

    build(target, state) {
      if (!(target instanceof PickleDict) || !(state instanceof PickleDict)) {
        refuse(`BUILD sets a ${describePickleValue(state)} on a ${describePickleValue(target)}; only a dict's attributes (a state dict's _metadata) are read`);
      }
      const dict = target as PickleDict;
      // kept by reference (no copy: a few bytes of pickle could otherwise copy a big dict again and again)
      if (dict.attributes !== undefined) refuse('BUILD sets attributes on the same dict twice');
      dict.attributes = state as PickleDict;
    },
  };
}
