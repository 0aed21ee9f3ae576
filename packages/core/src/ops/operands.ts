/** Checks and conversions shared by the ops: operands on one backend and dtype, scalars as tensors. */

import { ArgumentError, DTypeError } from '../errors.js';
import { Tensor } from '../tensor.js';

/** Throws unless every tensor is on the first one's backend and has its dtype. */
export function checkSameBackendAndDType(op: string, tensors: readonly Tensor[]): void {
  const [first] = tensors;
  for (const t of tensors) {
    if (t.backend !== first!.backend) {
      throw new ArgumentError(`${op}: operands are on different backends (${first!.backend.name} and ${t.backend.name})`);
    }
    if (t.dtype !== first!.dtype) {
      throw new DTypeError(`${op}: operands have different dtypes (${first!.dtype} and ${t.dtype})`);
    }
  }
}

/** Throws ArgumentError unless `x` is a Tensor (null or an array would otherwise fail as a TypeError deep inside). */
export function expectTensor(op: string, name: string, x: unknown): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new ArgumentError(`${op}: ${name} must be a Tensor, got ${x === null ? 'null' : typeof x}`);
}

/** A number as a 0-d tensor beside `like` (same backend and dtype); tensors pass through. */
export function asTensor(value: Tensor | number, like: Tensor): Tensor {
  if (value instanceof Tensor) return value;
  if (typeof value !== 'number') throw new ArgumentError(`expected a tensor or a number, got ${typeof value}`);
  return Tensor.from([value], [], { backend: like.backend, dtype: like.dtype });
}

/** Class labels as the Int32Array kernels take (from Int32Array, Uint8Array, number[] or a tensor). */
export function asLabels(op: string, labels: ArrayLike<number> | Tensor, rows: number): Int32Array {
  const values = labels instanceof Tensor ? labels.toArray() : labels;
  if (values.length !== rows) {
    throw new ArgumentError(`${op}: ${values.length} labels for ${rows} rows`);
  }
  if (values instanceof Int32Array) return values;
  const out = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const v = values[i]!;
    if (!Number.isInteger(v)) throw new ArgumentError(`${op}: labels[${i}] = ${v} is not an integer class index`);
    out[i] = v;
  }
  return out;
}
