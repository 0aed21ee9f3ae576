/**
 * CIFAR-10 held in memory as uint8 (no Node APIs: browsers use it too): a split of images and
 * labels, and the whole set with its class names and training mean.
 */

import { ArgumentError } from '../errors.js';
import { CIFAR10_IMAGE_BYTES, CIFAR10_NUM_CLASSES } from './cifar10-format.js';
import { centerImages, type ImageSelection } from './preprocess.js';

/**
 * One split of CIFAR-10 kept as uint8: `pixels` holds `length` CHW images of 3072 bytes
 * (R plane, G plane, B plane, each 32×32 row-major), `labels` their classes 0..9. Float rows
 * are made on demand by {@link Cifar10Split.centered}, so the 50 000 training images cost
 * 150 MB rather than 600 MB.
 */
export class Cifar10Split {
  /** Number of images. */
  readonly length: number;

  constructor(
    readonly labels: Uint8Array,
    readonly pixels: Uint8Array,
  ) {
    if (pixels.length !== labels.length * CIFAR10_IMAGE_BYTES) {
      throw new ArgumentError(
        `a split of ${labels.length} labels needs ${labels.length * CIFAR10_IMAGE_BYTES} pixel ` +
          `bytes (${CIFAR10_IMAGE_BYTES} each), got ${pixels.length}`,
      );
    }
    this.length = labels.length;
  }

  /** Image `i` as a view (no copy) of its 3072 CHW bytes. */
  image(i: number): Uint8Array {
    if (!Number.isInteger(i) || i < 0 || i >= this.length) {
      throw new ArgumentError(`image index ${i} is outside 0..${this.length - 1}`);
    }
    return this.pixels.subarray(i * CIFAR10_IMAGE_BYTES, (i + 1) * CIFAR10_IMAGE_BYTES);
  }

  /** How many images of each class (index = label). */
  classCounts(): Uint32Array {
    const counts = new Uint32Array(CIFAR10_NUM_CLASSES);
    for (const label of this.labels) counts[label]!++;
    return counts;
  }

  /**
   * Float32 rows `pixel − mean` for the selected images (N×3072 = NCHW N×3×32×32); see
   * {@link centerImages}. Pass the training mean for both splits.
   */
  centered(mean: Float32Array, selection: ImageSelection, out?: Float32Array): Float32Array {
    return centerImages(this.pixels, mean, selection, out);
  }
}

/** CIFAR-10 in memory: as loaded by loadCifar10 (Node) or cifar10FromBytes (anywhere). */
export interface Cifar10 {
  /** Where the `.bin` files came from: their folder, or a name for bytes handed over. */
  dir: string;
  /** The 50 000 training images, data_batch_1 … data_batch_5 in file order. */
  train: Cifar10Split;
  /** The 10 000 test images. */
  test: Cifar10Split;
  /** The ten class names in label order. */
  classNames: readonly string[];
  /** Per-pixel mean of the training images (Float32Array(3072)), subtracted from both splits. */
  mean: Float32Array;
}
