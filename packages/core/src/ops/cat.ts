/**
 * cat: tensors joined along one dimension, as torch.cat. Every tensor is viewed as
 * [outer, size_k, inner] around that dimension; the output [outer, Σ size_k, inner] is filled
 * piece by piece (`copyIntoSlice`), and each piece's gradient is its slice of the output's
 * (`copySlice`). DenseNet joins its feature maps along the channels (dim 1 of NCHW).
 */

import { record } from '../autograd/record.js';
import { ArgumentError, ShapeError } from '../errors.js';
import { getKernel } from '../kernels/registry.js';
import { formatShape, sizeOf } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { checkSameBackendAndDType } from './operands.js';
import { outputLike } from './raw.js';

/**
 * The tensors joined along `dim` (negative counts from the end). All must have the same rank and
 * the same size on every other dimension; a single tensor comes back as a copy.
 *
 * @example
 * cat([a, b], 1) // a [2, 3, 4, 4], b [2, 5, 4, 4] → [2, 8, 4, 4]
 */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  const op = 'cat';
  if (tensors.length === 0) throw new ArgumentError(`${op}: expects a non-empty list of tensors`);
  checkSameBackendAndDType(op, tensors);
  const [first] = tensors as [Tensor, ...Tensor[]];
  const rank = first.rank;
  const axis = dim < 0 ? dim + rank : dim;
  if (!Number.isInteger(dim) || rank === 0 || axis < 0 || axis >= rank) {
    throw new ArgumentError(`${op}: dimension ${dim} is out of range for tensors of rank ${rank}`);
  }
  tensors.forEach((t, k) => {
    if (t.rank !== rank || t.shape.some((d, i) => i !== axis && d !== first.shape[i])) {
      throw new ShapeError(
        `${op}: tensor ${k} has shape ${formatShape(t.shape)}, which does not fit ${formatShape(first.shape)} outside dimension ${axis}`,
      );
    }
  });
  const sizes = tensors.map((t) => t.shape[axis]!);
  const total = sizes.reduce((a, b) => a + b, 0);
  const outer = sizeOf(first.shape.slice(0, axis));
  const inner = sizeOf(first.shape.slice(axis + 1));
  const { backend } = first;
  const offsets = sizes.map((_, k) => sizes.slice(0, k).reduce((a, b) => a + b, 0));
  const out = outputLike(first, first.shape.map((d, i) => (i === axis ? total : d)));
  const into = getKernel('copyIntoSlice', backend.name);
  tensors.forEach((t, k) => {
    into(backend, { x: t.contiguous().storage, out: out.storage, outer, total, inner, offset: offsets[k]!, size: sizes[k]! });
  });
  const shapes = tensors.map((t) => t.shape);
  // A copy of the list: the caller may grow its array afterwards (DenseNet's blocks do), and the
  // tape must keep the inputs this output was made of.
  return record(out, op, [...tensors], (g, needs) => {
    const dout = g.contiguous();
    const slice = getKernel('copySlice', backend.name);
    return shapes.map((shape, k) => {
      if (!needs[k]) return undefined;
      const dx = outputLike(g, shape);
      slice(backend, { x: dout.storage, out: dx.storage, outer, total, inner, offset: offsets[k]!, size: sizes[k]! });
      return dx;
    });
  });
}
