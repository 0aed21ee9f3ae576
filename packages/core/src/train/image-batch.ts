/**
 * Batches that are only indices into a split until a trainer asks for them: the gatherCenter
 * kernel then writes `pixel − mean` straight into the model's input tensor, on its backend.
 */

import type { Cifar10Split } from '../data/cifar10-split.js';
import { getKernel } from '../kernels/registry.js';
import type { Tensor } from '../tensor.js';
import type { ImageBatch } from './trainable.js';

export function imageBatch(split: Cifar10Split, mean: Float32Array, indices: Uint32Array, labels: Uint8Array): ImageBatch {
  return {
    labels,
    loadImages(into: Tensor): void {
      getKernel('gatherCenter', into.backend.name)(into.backend, { pixels: split.pixels, indices, mean, out: into.storage });
    },
  };
}
