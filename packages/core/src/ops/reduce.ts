/**
 * Reductions with autograd: sum and mean over any axes, max along one axis (with its argmax),
 * and variance (composed of the others, so its backward comes for free).
 */

import { record } from '../autograd/record.js';
import { ArgumentError } from '../errors.js';
import { getKernel } from '../kernels/registry.js';
import { formatShape, sizeOf } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { binaryRaw, div, mul, sub } from './elementwise.js';
import { asTensor } from './operands.js';
import { zerosLike } from './raw.js';
import { expandTo, reduceSumRaw } from './sum-to.js';

export interface ReduceOptions {
  /** Keep reduced axes as size 1 (PyTorch's keepdim). Default false. */
  keepdim?: boolean;
}

/** Axes as a mask over x's dimensions; undefined means all. Negative axes count from the end. */
function axisMask(op: string, x: Tensor, dims: number | readonly number[] | undefined): boolean[] {
  if (dims === undefined) return x.shape.map(() => true);
  const mask = x.shape.map(() => false);
  for (const d of typeof dims === 'number' ? [dims] : dims) {
    const axis = d < 0 ? d + x.rank : d;
    if (!Number.isInteger(d) || axis < 0 || axis >= x.rank) {
      throw new ArgumentError(`${op}: dimension ${d} is out of range for shape ${formatShape(x.shape)}`);
    }
    mask[axis] = true;
  }
  return mask;
}

const keptShape = (x: Tensor, mask: readonly boolean[]) => x.shape.map((d, i) => (mask[i] ? 1 : d));
const outShape = (x: Tensor, mask: readonly boolean[], keepdim: boolean) =>
  keepdim ? keptShape(x, mask) : x.shape.filter((_, i) => !mask[i]);

/** Σ over `dims` (all when omitted). @example sum(x, 0) // column sums of a matrix */
export function sum(x: Tensor, dims?: number | readonly number[], options: ReduceOptions = {}): Tensor {
  const mask = axisMask('sum', x, dims);
  const kept = keptShape(x, mask);
  const out = reduceSumRaw(x, mask, outShape(x, mask, options.keepdim ?? false));
  return record(out, 'sum', [x], (g) => [expandTo(g, kept, x.shape)]);
}

/** Mean over `dims` (all when omitted). */
export function mean(x: Tensor, dims?: number | readonly number[], options: ReduceOptions = {}): Tensor {
  const mask = axisMask('mean', x, dims);
  const count = sizeOf(x.shape.filter((_, i) => mask[i]));
  return div(sum(x, dims, options), count);
}

export interface VarOptions extends ReduceOptions {
  /** Divide by n − 1 (true, PyTorch's default) or by n. */
  unbiased?: boolean;
}

/** Variance over `dims` (all when omitted). */
export function variance(x: Tensor, dims?: number | readonly number[], options: VarOptions = {}): Tensor {
  const mask = axisMask('var', x, dims);
  const count = sizeOf(x.shape.filter((_, i) => mask[i]));
  const centred = sub(x, mean(x, dims, { keepdim: true }));
  const divisor = (options.unbiased ?? true) ? count - 1 : count;
  return div(sum(mul(centred, centred), dims, { keepdim: options.keepdim ?? false }), divisor);
}

export interface MaxResult {
  values: Tensor;
  /** Position along `dim` of each maximum (the first, on ties). */
  indices: Int32Array;
}

/** Maximum along one dimension, with where it was (PyTorch's `torch.max(x, dim)`). */
export function max(x: Tensor, dim: number, options: ReduceOptions = {}): MaxResult {
  const mask = axisMask('max', x, dim);
  const axis = mask.indexOf(true);
  const input = x.contiguous();
  const outer = sizeOf(x.shape.slice(0, axis));
  const size = x.shape[axis]!;
  const inner = sizeOf(x.shape.slice(axis + 1));
  if (size === 0) throw new ArgumentError(`max: dimension ${dim} of shape ${formatShape(x.shape)} is empty`);
  const values = zerosLike(x, outShape(x, mask, options.keepdim ?? false));
  const indices = new Int32Array(outer * inner);
  getKernel('maxAlong', x.backend.name)(x.backend, { x: input.storage, outer, size, inner, out: values.storage, indices });
  record(values, 'max', [input], (g) => {
    const dout = g.contiguous();
    const dx = zerosLike(input);
    getKernel('maxAlongBackward', x.backend.name)(x.backend, { dout: dout.storage, indices, outer, size, inner, dx: dx.storage });
    return [dx];
  });
  return { values, indices };
}

/** x·alpha without recording (used by backward passes that scale a gradient). */
export function scaleRaw(x: Tensor, alpha: number): Tensor {
  return binaryRaw('mul', x, asTensor(alpha, x));
}
