/**
 * matmul: (m×k)·(k×n) → m×n for 2-D tensors, on the tensors' backend's `gemm` kernel, with autograd.
 * A transposed view (`x.t()`) is passed to the kernel as a transpose flag, not copied.
 */

import { record } from '../autograd/record.js';
import { getKernel } from '../kernels/registry.js';
import { ShapeError } from '../errors.js';
import { formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { checkSameBackendAndDType } from './operands.js';
import { outputLike } from './raw.js';

/** How a 2-D tensor's storage reads as a row-major matrix: as is, or transposed. */
function asGemmOperand(x: Tensor): { tensor: Tensor; transposed: boolean } {
  const [rows, cols] = x.shape as [number, number];
  if (x.isContiguous()) return { tensor: x, transposed: false };
  // The transpose of a row-major cols×rows matrix: strides [1, cols-of-storage].
  if ((x.strides[0] === 1 || rows === 1) && (x.strides[1] === rows || cols === 1)) {
    return { tensor: x, transposed: true };
  }
  return { tensor: x.contiguous(), transposed: false };
}

/**
 * Matrix product of two 2-D tensors on the same backend and dtype.
 * @example matmul(Tensor.from([1, 2, 3, 4], [2, 2]), Tensor.from([1, 0, 0, 1], [2, 2]))
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.rank !== 2 || b.rank !== 2) {
    throw new ShapeError(`matmul: expects 2-D tensors, got shapes ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
  const [m, k] = a.shape as [number, number];
  const [kb, n] = b.shape as [number, number];
  if (k !== kb) {
    throw new ShapeError(
      `matmul: shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} do not match (inner ${k} vs ${kb})`,
    );
  }
  checkSameBackendAndDType('matmul', [a, b]);
  const opA = asGemmOperand(a);
  const opB = asGemmOperand(b);
  const out = outputLike(a, [m, n]);
  getKernel('gemm', a.backend.name)(a.backend, {
    transA: opA.transposed,
    transB: opB.transposed,
    m,
    n,
    k,
    alpha: 1,
    beta: 0,
    a: opA.tensor.storage,
    b: opB.tensor.storage,
    c: out.storage,
  });
  // d(A·B)/dA = g·Bᵀ, d(A·B)/dB = Aᵀ·g: transposed views, which the GEMM reads as flags.
  return record(out, 'matmul', [a, b], (g, [needA, needB]) => [
    needA ? matmul(g, b.t()) : undefined,
    needB ? matmul(a.t(), g) : undefined,
  ]);
}
