/**
 * gatherCenter's argument checks (shared with the wasm backend's), its plain loop and its js kernel: uint8 image rows
 * gathered by index, minus the mean image, into a float view.
 */

import type { TypedArray } from '../../dtype.js';
import { ArgumentError } from '../../errors.js';
import type { GatherCenterArgs } from '../../kernels/images.js';
import { checkAllSeparate, checkMatrix, indexRange } from '../../kernels/lengths.js';
import { registerKernel } from '../../kernels/registry.js';

/**
 * Checks gatherCenter's arguments in the order and words of dlp-kernels' `gather_center_u8`
 * (after the contract's aliasing check), so every backend fails alike; returns d, the image size.
 */
export function checkGatherCenter({ pixels, indices, mean }: Omit<GatherCenterArgs, 'out'>, out: TypedArray): number {
  const k = 'gatherCenter';
  checkAllSeparate(k, [['out', out]], [['mean', mean], ['pixels', pixels], ['indices', indices]]);
  const d = mean.length;
  if (d === 0) throw new ArgumentError(`${k}: mean is empty`);
  if (pixels.length % d !== 0) {
    throw new ArgumentError(`${k}: pixels hold ${pixels.length} bytes, not a whole number of ${d}-byte images`);
  }
  checkMatrix(k, 'out', indices.length, d, out.length);
  const images = pixels.length / d;
  const bad = indices.findIndex((index) => index >= images);
  if (bad >= 0) throw new ArgumentError(`${k}: image index ${indices[bad]} is outside ${indexRange(images)}`);
  return d;
}

/** The plain loop, writing into any float view (a js storage, float32 or float64). */
export function gatherCenterReference(args: Omit<GatherCenterArgs, 'out'>, out: TypedArray): void {
  const d = checkGatherCenter(args, out);
  const { pixels, indices, mean } = args;
  for (let r = 0; r < indices.length; r++) {
    const base = indices[r]! * d;
    const row = r * d;
    for (let j = 0; j < d; j++) out[row + j] = pixels[base + j]! - mean[j]!;
  }
}

export function registerJsImageKernels(): void {
  registerKernel('gatherCenter', 'js', (backend, args) => gatherCenterReference(args, backend.view(args.out)));
}
