/** NumPy/PyTorch broadcasting: aligning shapes from the right, size-1 dimensions stretched. */

import { ShapeError } from '../errors.js';
import { formatShape, type Shape } from '../shape.js';

/** The shape two operands broadcast to, or a ShapeError naming both. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(`${op}: shapes ${formatShape(a)} and ${formatShape(b)} cannot be broadcast together (dimension ${i}: ${da} vs ${db})`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides that read a tensor of `shape`/`strides` as if it had shape `target` (0 where stretched). */
export function broadcastStrides(shape: Shape, strides: readonly number[], target: Shape): number[] {
  const offset = target.length - shape.length;
  return target.map((_, i) => {
    const d = i - offset;
    return d < 0 || shape[d] === 1 ? 0 : strides[d]!;
  });
}

/** For summing a gradient of shape `from` back to `to`: true on every axis of `from` to sum. */
export function reducedAxes(from: Shape, to: Shape): boolean[] {
  const offset = from.length - to.length;
  return from.map((d, i) => i < offset || (to[i - offset] === 1 && d !== 1));
}
