/**
 * Kernel calls that never record on the tape: new tensors shaped like others, copies, and
 * in-place accumulation. The autograd engine, optimisers and ops' backward passes build on them.
 */

import { getKernel } from '../kernels/registry.js';
import { sizeOf, type Shape } from '../shape.js';
import { Tensor } from '../tensor.js';

/** A zero-filled tensor on `like`'s backend and dtype (its shape unless one is given). */
export function zerosLike(like: Tensor, shape: Shape = like.shape): Tensor {
  return Tensor.zeros(shape, { backend: like.backend, dtype: like.dtype });
}

/**
 * A tensor on `like`'s backend and dtype (its shape unless one is given) whose contents are
 * unspecified: only for the output of the kernel call that comes next and writes every element
 * (see Backend.allocateForOverwrite).
 */
export function outputLike(like: Tensor, shape: Shape = like.shape): Tensor {
  return new Tensor(like.backend.allocateForOverwrite(sizeOf(shape), like.dtype), shape, like.backend);
}

/** A tensor of `like`'s shape (or `shape`), backend and dtype, every element `value`. */
export function fullLike(like: Tensor, value: number, shape: Shape = like.shape): Tensor {
  const out = zerosLike(like, shape);
  if (value !== 0) out.backend.fill(out.storage, value);
  return out;
}

/** A row-major copy with storage of its own (views are read through their strides). */
export function cloneTensor(x: Tensor): Tensor {
  const out = outputLike(x);
  getKernel('copy', x.backend.name)(x.backend, {
    shape: x.shape,
    x: x.storage,
    strides: x.strides,
    out: out.storage,
  });
  return out;
}

/** y += alpha·x elementwise (y contiguous, same shape; x made contiguous if it is a view). */
export function axpyInto(y: Tensor, x: Tensor, alpha: number): void {
  const source = x.isContiguous() ? x : cloneTensor(x);
  getKernel('axpy', y.backend.name)(y.backend, { x: source.storage, y: y.storage, alpha });
}
