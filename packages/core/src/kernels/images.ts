/**
 * Argument shapes of the image-batch kernel: uint8 images gathered by index and centred.
 */

import type { Backend, Storage } from '../backends/backend.js';
import { kernelNames } from './names.js';

/**
 * A batch of uint8 images as network input: out[r][j] = pixels[indices[r]·d + j] − mean[j],
 * d = mean.length (3072 for CIFAR-10). The dataset stays in host memory as bytes.
 */
export interface GatherCenterArgs {
  pixels: Uint8Array;
  indices: Uint32Array;
  mean: Float32Array;
  out: Storage;
}

/** The signatures of this concern's kernels (KernelSignatures in registry.ts gathers every concern's). */
export interface ImageKernels {
  gatherCenter(backend: Backend, args: GatherCenterArgs): void;
}

export const IMAGE_KERNELS = kernelNames<ImageKernels>({ gatherCenter: true });
