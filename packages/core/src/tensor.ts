/**
 * Tensor: a shape and strides over one backend's storage. Views (transpose) share storage;
 * data is read out with `toArray()`. Autograd arrives in its own module on top of this.
 */

import type { Backend, Storage } from './backends/backend.js';
import { defaultBackend, getBackend } from './backends/select.js';
import type { DType, TypedArray } from './dtype.js';
import { allocateTypedArray, dtypeOf } from './dtype.js';
import { DTypeError, ShapeError } from './errors.js';
import type { Shape } from './shape.js';
import { checkShape, contiguousStrides, formatShape, isRowMajor, sizeOf } from './shape.js';

export interface TensorOptions {
  /** A backend or its name; default: `defaultBackend()`. */
  backend?: Backend | string;
  /** Element type; default float32 (or the typed array's own type). */
  dtype?: DType;
}

function resolveBackend(backend: Backend | string | undefined): Backend {
  if (backend === undefined) return defaultBackend();
  return typeof backend === 'string' ? getBackend(backend) : backend;
}

export class Tensor {
  readonly shape: Shape;
  /** Element strides into `storage`; row-major for tensors that are not views. */
  readonly strides: readonly number[];
  readonly backend: Backend;
  readonly storage: Storage;

  /** Low level: wraps existing storage. Prefer `Tensor.from`, `Tensor.zeros`. */
  constructor(storage: Storage, shape: Shape, backend: Backend, strides: readonly number[] = contiguousStrides(shape)) {
    checkShape(shape);
    if (strides.length !== shape.length) {
      throw new ShapeError(`tensor: ${strides.length} strides for shape ${formatShape(shape)}`);
    }
    this.storage = storage;
    this.shape = Object.freeze([...shape]);
    this.strides = Object.freeze([...strides]);
    this.backend = backend;
  }

  /**
   * A tensor holding a copy of `data` (a typed array or nested numbers) with the given shape.
   * @example Tensor.from([1, 2, 3, 4], [2, 2], { backend: 'js' })
   */
  static from(data: ArrayLike<number>, shape: Shape, options: TensorOptions = {}): Tensor {
    checkShape(shape);
    const backend = resolveBackend(options.backend);
    const dtype = options.dtype ?? (data instanceof Float64Array ? 'float64' : 'float32');
    if (data.length !== sizeOf(shape)) {
      throw new ShapeError(`tensor: ${data.length} values cannot fill shape ${formatShape(shape)} (${sizeOf(shape)} elements)`);
    }
    checkDType(backend, dtype);
    const typed = allocateTypedArray(dtype, data.length);
    typed.set(data);
    return new Tensor(backend.upload(typed), shape, backend);
  }

  /** A zero-filled tensor. */
  static zeros(shape: Shape, options: TensorOptions = {}): Tensor {
    checkShape(shape);
    const backend = resolveBackend(options.backend);
    const dtype = options.dtype ?? 'float32';
    checkDType(backend, dtype);
    return new Tensor(backend.allocate(sizeOf(shape), dtype), shape, backend);
  }

  get dtype(): DType {
    return this.storage.dtype;
  }

  get rank(): number {
    return this.shape.length;
  }

  get size(): number {
    return sizeOf(this.shape);
  }

  isContiguous(): boolean {
    return isRowMajor(this.shape, this.strides);
  }

  /** A view with dimensions `dim0` and `dim1` swapped (no copy). */
  transpose(dim0 = 0, dim1 = 1): Tensor {
    for (const d of [dim0, dim1]) {
      if (!Number.isInteger(d) || d < 0 || d >= this.rank) {
        throw new ShapeError(`transpose: dimension ${d} is out of range for shape ${formatShape(this.shape)}`);
      }
    }
    const swap = <T>(xs: readonly T[]) => {
      const out = [...xs];
      [out[dim0], out[dim1]] = [out[dim1]!, out[dim0]!];
      return out;
    };
    return new Tensor(this.storage, swap(this.shape), this.backend, swap(this.strides));
  }

  /** Transpose of a 2-D tensor (a view). */
  t(): Tensor {
    if (this.rank !== 2) throw new ShapeError(`t: expects a 2-D tensor, got shape ${formatShape(this.shape)}`);
    return this.transpose(0, 1);
  }

  /** The same elements with another shape (contiguous tensors only; a view). */
  reshape(shape: Shape): Tensor {
    checkShape(shape);
    if (sizeOf(shape) !== this.size) {
      throw new ShapeError(`reshape: cannot view ${formatShape(this.shape)} (${this.size} elements) as ${formatShape(shape)}`);
    }
    if (!this.isContiguous()) {
      return this.contiguous().reshape(shape);
    }
    return new Tensor(this.storage, shape, this.backend);
  }

  /** This tensor if already row-major, else a row-major copy. */
  contiguous(): Tensor {
    if (this.isContiguous()) return this;
    return Tensor.from(this.toArray(), this.shape, { backend: this.backend, dtype: this.dtype });
  }

  /** A copy of the elements in row-major order. */
  toArray(): TypedArray {
    const source = this.backend.view(this.storage);
    if (this.isContiguous()) return source.slice(0, this.size);
    const out = allocateTypedArray(this.dtype, this.size);
    const index = new Array<number>(this.rank).fill(0);
    for (let flat = 0; flat < out.length; flat++) {
      let offset = 0;
      for (let d = 0; d < this.rank; d++) offset += index[d]! * this.strides[d]!;
      out[flat] = source[offset]!;
      for (let d = this.rank - 1; d >= 0; d--) {
        if (++index[d]! < this.shape[d]!) break;
        index[d] = 0;
      }
    }
    return out;
  }

  /** Frees the storage now (wasm memory); the tensor and its views are unusable afterwards. */
  dispose(): void {
    this.backend.release(this.storage);
  }

  toString(): string {
    return `Tensor(${formatShape(this.shape)}, ${this.dtype}, ${this.backend.name})`;
  }
}

function checkDType(backend: Backend, dtype: DType): void {
  if (!backend.supportsDType(dtype)) {
    throw new DTypeError(`the ${backend.name} backend does not support ${dtype}; float64 runs on the js backend`);
  }
}

export { dtypeOf };
