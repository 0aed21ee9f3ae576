/**
 * The course's preprocessing: float32 pixels in 0..255 (not rescaled) minus the per-pixel mean
 * image of the training set, produced on demand for the rows a batch needs.
 */
import { ArgumentError } from '../errors.js';
import { CIFAR10_IMAGE_BYTES } from './cifar10-format.js';

/** Which images to take: a list of indices, or `count` consecutive images from `start`. */
export type ImageSelection = ArrayLike<number> | { start: number; count: number };

/**
 * The per-pixel mean image of `pixels` (N images of 3072 bytes each): `mean[j]` is the average
 * of byte j over all N images. Sums are kept in float64, where sums of bytes are exact, so the
 * only rounding is the final one to float32.
 * @returns Float32Array(3072), in CHW order like the images
 */
export function computeMeanImage(pixels: Uint8Array): Float32Array {
  const d = CIFAR10_IMAGE_BYTES;
  const n = pixels.length / d;
  if (!Number.isInteger(n) || n < 1) {
    throw new ArgumentError(
      `mean image needs a whole, non-zero number of ${d}-byte images, got ${pixels.length} bytes`,
    );
  }
  const sum = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const image = pixels.subarray(i * d, (i + 1) * d);
    for (let j = 0; j < d; j++) sum[j]! += image[j]!;
  }
  const mean = new Float32Array(d);
  for (let j = 0; j < d; j++) mean[j] = sum[j]! / n;
  return mean;
}

function isRange(selection: ImageSelection): selection is { start: number; count: number } {
  return 'start' in selection && 'count' in selection;
}

/**
 * Writes `pixel − mean` as float32 for the selected images, one 3072-value row per image.
 * Each row is a CHW image, so the result is N×3×32×32 in NCHW order (and N×3072 for an MLP).
 * @param pixels all images of a split (uint8, N×3072)
 * @param mean the training set's mean image (use it for test images too)
 * @param out optional destination of at least selected×3072 floats; a view of exactly that
 *   length is returned (the array itself when its length is exact)
 */
export function centerImages(
  pixels: Uint8Array,
  mean: Float32Array,
  selection: ImageSelection,
  out?: Float32Array,
): Float32Array {
  const d = CIFAR10_IMAGE_BYTES;
  if (mean.length !== d) {
    throw new ArgumentError(`mean image must have ${d} values, got ${mean.length}`);
  }
  const total = Math.floor(pixels.length / d);
  const range = isRange(selection) ? selection : undefined;
  const indices = range === undefined ? (selection as ArrayLike<number>) : undefined;
  const count = range?.count ?? indices!.length;
  const start = range?.start ?? 0;
  if (!Number.isInteger(count) || count < 0) {
    throw new ArgumentError(`image count must be a non-negative integer, got ${count}`);
  }
  if (range !== undefined && (!Number.isInteger(start) || start < 0 || start + count > total)) {
    throw new ArgumentError(
      `image range ${start}..${start + count} is outside the ${total} images of the split`,
    );
  }
  const size = count * d;
  let result: Float32Array;
  if (out === undefined) {
    result = new Float32Array(size);
  } else if (out.length < size) {
    throw new ArgumentError(
      `output holds ${out.length} floats, ${count} images need ${size} (${count}×${d})`,
    );
  } else {
    result = out.length === size ? out : out.subarray(0, size);
  }
  for (let r = 0; r < count; r++) {
    const index = indices === undefined ? start + r : indices[r]!;
    if (!Number.isInteger(index) || index < 0 || index >= total) {
      throw new ArgumentError(`image index ${index} is outside 0..${total - 1}`);
    }
    const image = pixels.subarray(index * d, (index + 1) * d);
    const row = result.subarray(r * d, (r + 1) * d);
    // Both operands are exact in float64, so one rounding to float32 here equals numpy's
    // float32 subtraction.
    for (let j = 0; j < d; j++) row[j] = image[j]! - mean[j]!;
  }
  return result;
}
