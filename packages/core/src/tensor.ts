/**
 * Tensor: a shape and strides over one backend's storage. Views (transpose, reshape) share
 * storage; data is read out with `toArray()`. A tensor that requires grad records the ops
 * made from it (autograd/), and `backward()` fills the `.grad` of the leaves it came from.
 */

import { runBackward, type BackwardOptions } from './autograd/engine.js';
import type { GradNode } from './autograd/node.js';
import { record } from './autograd/record.js';
import type { Backend, Storage } from './backends/backend.js';
import { getKernel } from './kernels/registry.js';
import { defaultBackend, getBackend } from './backends/registry.js';
import type { DType, TypedArray } from './dtype.js';
import { allocateTypedArray, dtypeOf } from './dtype.js';
import { ArgumentError, DTypeError, ShapeError } from './errors.js';
import type { Shape } from './shape.js';
import { checkShape, contiguousStrides, formatShape, isRowMajor, sizeOf } from './shape.js';

export interface TensorOptions {
  /** A backend or its name; default: `defaultBackend()`. */
  backend?: Backend | string;
  /** Element type; default float32 (or the typed array's own type). */
  dtype?: DType;
  /** Whether backward() should compute this (leaf) tensor's gradient; default false. */
  requiresGrad?: boolean;
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
  /** The gradient accumulated by backward() (leaves that require grad only); null until then. */
  grad: Tensor | null = null;
  #requiresGrad = false;
  #gradFn: GradNode | null = null;

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
    return new Tensor(backend.upload(typed), shape, backend).requiresGrad_(options.requiresGrad ?? false);
  }

  /** A zero-filled tensor. */
  static zeros(shape: Shape, options: TensorOptions = {}): Tensor {
    checkShape(shape);
    const backend = resolveBackend(options.backend);
    const dtype = options.dtype ?? 'float32';
    checkDType(backend, dtype);
    return new Tensor(backend.allocate(sizeOf(shape), dtype), shape, backend).requiresGrad_(options.requiresGrad ?? false);
  }

  /** Whether ops record this tensor on the tape (set on leaves; true on results of recorded ops). */
  get requiresGrad(): boolean {
    return this.#requiresGrad;
  }

  set requiresGrad(value: boolean) {
    if (this.#gradFn && !value) {
      throw new ArgumentError('requiresGrad can only be turned off on leaf tensors; use detach() for a copy that is off the tape');
    }
    this.#requiresGrad = value;
  }

  /** Sets requiresGrad and returns this tensor (PyTorch's `requires_grad_()`). */
  requiresGrad_(value = true): this {
    this.requiresGrad = value;
    return this;
  }

  /** The recorded op that produced this tensor; null for leaves. */
  get gradFn(): GradNode | null {
    return this.#gradFn;
  }

  /** True for tensors not produced by a recorded op (user-made tensors, parameters). */
  get isLeaf(): boolean {
    return this.#gradFn === null;
  }

  /** @internal Called by `record` when an op puts this tensor on the tape. */
  setGradFn(node: GradNode): void {
    this.#gradFn = node;
    this.#requiresGrad = true;
  }

  /**
   * Computes the gradient of this tensor wrt every leaf that requires grad, adding it to their
   * `.grad`. Without `gradient`, this tensor must hold one element (a loss).
   */
  backward(gradient?: Tensor, options?: BackwardOptions): void {
    runBackward(this, gradient, options);
  }

  /** The same storage, off the tape: a leaf that does not require grad. */
  detach(): Tensor {
    return new Tensor(this.storage, this.shape, this.backend, this.strides);
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
    const out = new Tensor(this.storage, swap(this.shape), this.backend, swap(this.strides));
    return record(out, 'transpose', [this], (g) => [g.transpose(dim0, dim1)]);
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
    const out = new Tensor(this.storage, shape, this.backend);
    const inputShape = this.shape;
    return record(out, 'reshape', [this], (g) => [g.reshape(inputShape)]);
  }

  /** [d0, d1·d2·…]: all dimensions after `startDim` merged (a view when contiguous). */
  flatten(startDim = 1): Tensor {
    if (!Number.isInteger(startDim) || startDim < 0 || startDim >= Math.max(1, this.rank)) {
      throw new ShapeError(`flatten: start dimension ${startDim} is out of range for shape ${formatShape(this.shape)}`);
    }
    return this.reshape([...this.shape.slice(0, startDim), sizeOf(this.shape.slice(startDim))]);
  }

  /** This tensor if already row-major, else a row-major copy (on the backend's copy kernel). */
  contiguous(): Tensor {
    if (this.isContiguous()) return this;
    const out = Tensor.zeros(this.shape, { backend: this.backend, dtype: this.dtype });
    getKernel('copy', this.backend.name)(this.backend, { shape: this.shape, x: this.storage, strides: this.strides, out: out.storage });
    return record(out, 'contiguous', [this], (g) => [g]);
  }

  /** A copy of the elements in row-major order. */
  toArray(): TypedArray {
    if (this.isContiguous()) return this.backend.read(this.storage, 0, this.size);
    const source = this.backend.read(this.storage);
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

  /** The value of a one-element tensor (a loss, say). */
  item(): number {
    if (this.size !== 1) throw new ShapeError(`item: expects a tensor with one element, got shape ${formatShape(this.shape)}`);
    return this.backend.read(this.storage, 0, 1)[0]!;
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
