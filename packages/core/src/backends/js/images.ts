/**
 * gatherCenter in plain loops: uint8 image rows gathered by index, minus the mean image, into
 * any float view (a js storage, or a wasm tensor's view of wasm memory).
 */

import type { TypedArray } from '../../dtype.js';
import { ShapeError } from '../../errors.js';
import type { GatherCenterArgs } from '../../kernels/images.js';

export function gatherCenterReference({ pixels, indices, mean }: Omit<GatherCenterArgs, 'out'>, out: TypedArray): void {
  const d = mean.length;
  const images = Math.floor(pixels.length / d);
  if (d === 0 || pixels.length % d !== 0) {
    throw new ShapeError(`gatherCenter: pixels hold ${pixels.length} bytes, not a whole number of ${d}-byte images`);
  }
  if (out.length !== indices.length * d) {
    throw new ShapeError(`gatherCenter: out should hold ${indices.length}x${d} = ${indices.length * d} elements but holds ${out.length}`);
  }
  for (let r = 0; r < indices.length; r++) {
    const index = indices[r]!;
    if (index >= images) throw new ShapeError(`gatherCenter: image index ${index} is outside 0..${images}`);
    const base = index * d;
    const row = r * d;
    for (let j = 0; j < d; j++) out[row + j] = pixels[base + j]! - mean[j]!;
  }
}
