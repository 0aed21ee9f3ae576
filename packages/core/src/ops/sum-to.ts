/**
 * Reduction helpers without recording: summing a broadcast gradient back to an operand's
 * shape, and stretching a reduced gradient back over the reduced axes.
 */

import { getKernel } from '../kernels/registry.js';
import { sizeOf, type Shape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { broadcastStrides, reducedAxes } from './broadcast.js';
import { zerosLike } from './raw.js';

/** Σ of x (row-major) over the axes marked true, as a row-major tensor of shape `outShape`. */
export function reduceSumRaw(x: Tensor, axes: readonly boolean[], outShape: Shape): Tensor {
  const input = x.isContiguous() ? x : x.contiguous();
  const out = zerosLike(x, outShape);
  getKernel('reduceSum', x.backend.name)(x.backend, { x: input.storage, shape: input.shape, axes, out: out.storage, beta: 0 });
  return out;
}

/** g summed down to `shape` (the inverse of broadcasting `shape` up to g's shape). */
export function sumTo(g: Tensor, shape: Shape): Tensor {
  if (g.shape.length === shape.length && g.shape.every((d, i) => d === shape[i])) return g;
  const axes = reducedAxes(g.shape, shape);
  if (!axes.some(Boolean)) return g.reshape(shape);
  return reduceSumRaw(g, axes, shape).reshape(shape);
}

/** g (shape `keptShape`, with 1 on reduced axes) copied out over `shape`: a materialised broadcast. */
export function expandTo(g: Tensor, keptShape: Shape, shape: Shape): Tensor {
  const source = g.reshape(keptShape);
  const out = zerosLike(g, shape);
  if (sizeOf(shape) === 0) return out;
  getKernel('copy', g.backend.name)(g.backend, {
    shape,
    x: source.storage,
    strides: broadcastStrides(source.shape, source.strides, shape),
    out: out.storage,
  });
  return out;
}
