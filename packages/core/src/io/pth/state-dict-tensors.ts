/**
 * From an unpickled torch.save object to named tensors: names each tensor by its path through
 * nested dicts and lists (`model.layers.0.weight`), then copies each tensor's elements out of its
 * storage's bytes (strided views and storage offsets included), once per tensor however often
 * the pickle refers to it. Shared by the zip archive reader and the legacy format's.
 */

import { WeightsFormatError } from '../../errors.js';
import { halfToFloat32 } from '../half.js';
import { setOwn, WEIGHT_DTYPE_INFO, type WeightArrays, type WeightDType, type WeightTensor, type WeightTensors } from '../weight-dtypes.js';
import { describePickleValue, PickleDict, PickleTuple } from './pickle.js';
import { StorageRef, TensorRef } from './torch-pickle.js';

/** Checkpoints nest a state dict a few levels deep at most. */
const MAX_DEPTH = 32;
const MAX_NAME_LENGTH = 1024;

/**
 * Every tensor under `root` (a dict) with its dotted name. Non-tensor leaves (epochs, strings,
 * hyper-parameters) are skipped; a container met a second time is not walked again.
 *
 * @param pickleBytes the pickle's length: names may add up to a few times it, no more.
 */
export function namedTensorRefs(root: unknown, where: string, pickleBytes: number): Array<[string, TensorRef]> {
  if (!(root instanceof PickleDict)) {
    throw new WeightsFormatError(`${where}: holds a ${describePickleValue(root)}, not a dict of tensors (a state dict)`);
  }
  const out: Array<[string, TensorRef]> = [];
  const seen = new Set<object>();
  const nameBudget = 8 * pickleBytes + 65536;
  let nameChars = 0;
  // depth-first with an explicit stack (no recursion on hostile nesting); children are pushed
  // in reverse so that names come out in the file's order
  const pending: Array<{ value: unknown; name: string; depth: number }> = [{ value: root, name: '', depth: 0 }];
  while (pending.length > 0) {
    const { value, name, depth } = pending.pop()!;
    if (value instanceof TensorRef) {
      if (name.length > MAX_NAME_LENGTH) throw new WeightsFormatError(`${where}: a tensor's name is longer than ${MAX_NAME_LENGTH} characters`);
      nameChars += name.length;
      if (nameChars > nameBudget) throw new WeightsFormatError(`${where}: the tensors' names add up to more than ${nameBudget} characters`);
      out.push([name, value]);
      continue;
    }
    let children: Array<[string, unknown]>;
    if (value instanceof PickleDict) {
      children = [...value.entries].map(([key, child]) => [key === null ? 'None' : String(key), child]);
    } else if (Array.isArray(value) || value instanceof PickleTuple) {
      children = (Array.isArray(value) ? value : value.items).map((child, i) => [String(i), child]);
    } else {
      continue; // a number, string, None...: not a tensor
    }
    if (seen.has(value as object)) continue;
    seen.add(value as object);
    if (depth > MAX_DEPTH) throw new WeightsFormatError(`${where}: dicts and lists nest deeper than ${MAX_DEPTH} levels`);
    for (let i = children.length - 1; i >= 0; i--) {
      const [key, child] = children[i]!;
      pending.push({ value: child, name: name === '' ? key : `${name}.${key}`, depth: depth + 1 });
    }
  }
  return out;
}

export interface MaterializeOptions {
  where: string;
  /** The bytes of a storage; must hold at least `numel` elements (the caller checks and says where). */
  storageBytes: (storage: StorageRef) => Uint8Array;
  /** The most bytes the tensors may take in all (what the input can justify). */
  budgetBytes: number;
  halfToFloat32: boolean;
}

/** The tensors' elements, copied out of their storages; a tensor named twice shares one array. */
export function materializeTensors(named: Array<[string, TensorRef]>, options: MaterializeOptions): WeightTensors {
  const done = new Map<TensorRef, WeightTensor>();
  const out: WeightTensors = {};
  let total = 0;
  for (const [name, ref] of named) {
    if (Object.prototype.hasOwnProperty.call(out, name)) throw new WeightsFormatError(`${options.where}: two tensors are named '${name}'`);
    let tensor = done.get(ref);
    if (!tensor) {
      const { dtype } = ref.storage;
      const convert = options.halfToFloat32 && (dtype === 'F16' || dtype === 'BF16');
      total += ref.numel * (convert ? 4 : WEIGHT_DTYPE_INFO[dtype].size);
      if (total > options.budgetBytes) {
        throw new WeightsFormatError(
          `${options.where}: the tensors would take more than ${options.budgetBytes} bytes, more than the file can hold (views repeating one storage?)`,
        );
      }
      tensor = { dtype, shape: ref.shape, data: copyView(ref, options.storageBytes(ref.storage)) } as WeightTensor;
      if (convert) tensor = halfToFloat32(tensor);
      done.set(ref, tensor);
    }
    setOwn(out, name, tensor);
  }
  return out;
}

/** A typed array of `dtype` over `bytes` (copied first when they are not aligned for it). */
function elementsOf(dtype: WeightDType, bytes: Uint8Array, numel: number): WeightArrays[WeightDType] {
  const { size, array } = WEIGHT_DTYPE_INFO[dtype];
  let aligned = bytes;
  if (bytes.byteOffset % size !== 0) {
    // an explicit copy: a Node Buffer's slice() would be another unaligned view
    aligned = new Uint8Array(numel * size);
    aligned.set(bytes.subarray(0, numel * size));
  }
  const View = array as unknown as new (buffer: ArrayBufferLike, byteOffset: number, length: number) => WeightArrays[WeightDType];
  return new View(aligned.buffer, aligned.byteOffset, numel);
}

/** The view's elements in row-major order (checkView in ./torch-pickle.ts made sure they are inside the storage). */
function copyView(ref: TensorRef, bytes: Uint8Array): WeightArrays[WeightDType] {
  const { shape, stride, offset, numel } = ref;
  const source = elementsOf(ref.storage.dtype, bytes, ref.storage.numel) as unknown as { [i: number]: number | bigint; slice(a: number, b: number): WeightArrays[WeightDType] };
  let contiguous = true;
  for (let d = shape.length - 1, expected = 1; d >= 0; d--) {
    if (shape[d] !== 1 && stride[d] !== expected) contiguous = false;
    expected *= shape[d]!;
  }
  if (contiguous || numel === 0) return source.slice(offset, offset + numel);

  const { array } = WEIGHT_DTYPE_INFO[ref.storage.dtype];
  const out = new array(numel) as unknown as { [i: number]: number | bigint };
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  let at = offset;
  for (let i = 0; i < numel; i++) {
    out[i] = source[at]!;
    // odometer: step the last dimension, carrying into earlier ones
    for (let d = rank - 1; d >= 0; d--) {
      if (++index[d]! < shape[d]!) {
        at += stride[d]!;
        break;
      }
      index[d] = 0;
      at -= (shape[d]! - 1) * stride[d]!;
    }
  }
  return out as unknown as WeightArrays[WeightDType];
}
