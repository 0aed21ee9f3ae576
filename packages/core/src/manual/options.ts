/** Options shared by the manual (hand-written backward) modules. */

import { ShapeError } from '../errors.js';
import { resolvePlacement, type PlacementOptions } from '../placement.js';
import { formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';

/** The manual modules are placed like every other module. */
export type ManualOptions = PlacementOptions;
export const resolveManualOptions = resolvePlacement;

/** Throws unless x is 2-D with `cols` columns (any number of rows). */
export function expectMatrix(module: string, what: string, x: Tensor, cols: number): number {
  if (x.rank !== 2 || x.shape[1] !== cols) {
    throw new ShapeError(`${module}: ${what} of shape ${formatShape(x.shape)} should be [batch,${cols}]`);
  }
  if (!x.isContiguous()) throw new ShapeError(`${module}: ${what} must be contiguous (got a view)`);
  return x.shape[0]!;
}

/** Throws unless a and b have the same shape. */
export function expectSameShape(module: string, what: string, a: Tensor, b: Tensor): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new ShapeError(`${module}: ${what} has shape ${formatShape(b.shape)}, expected ${formatShape(a.shape)}`);
  }
}
