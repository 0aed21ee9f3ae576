/**
 * Kernels looked up by (name, backend). A backend makes its kernels available by registering
 * them; core ops call `getKernel`, so adding a backend or a kernel changes nothing else.
 */

import type { Backend, BackendName } from '../backends/backend.js';
import { DlpError } from '../errors.js';
import { CONV_KERNELS, type ConvKernels } from './conv.js';
import { ELEMENTWISE_KERNELS, type ElementwiseKernels } from './elementwise.js';
import { GEMM_KERNELS, type GemmKernels } from './gemm.js';
import { IMAGE_KERNELS, type ImageKernels } from './images.js';
import { LAYOUT_KERNELS, type LayoutKernels } from './layout.js';
import { LOSS_KERNELS, type LossKernels } from './loss.js';
import { NORM_KERNELS, type NormKernels } from './norm.js';
import { OPTIM_KERNELS, type OptimKernels } from './optim.js';
import { activeKernelProfile } from './profile.js';

/**
 * Every kernel's signature, by name, gathered from the concerns' files in this folder (gemm,
 * elementwise, loss, layout, norm, optim, conv, images), which mirror the Rust contract's
 * groups (crates/contract/src/kernels/). A kernel added to a concern's file is picked up here.
 */
export interface KernelSignatures
  extends GemmKernels,
    ElementwiseKernels,
    LossKernels,
    LayoutKernels,
    NormKernels,
    OptimKernels,
    ConvKernels,
    ImageKernels {}

export type KernelName = keyof KernelSignatures;

/** Every kernel name. */
export const KERNEL_NAMES: readonly KernelName[] = [
  ...GEMM_KERNELS,
  ...ELEMENTWISE_KERNELS,
  ...LOSS_KERNELS,
  ...LAYOUT_KERNELS,
  ...NORM_KERNELS,
  ...OPTIM_KERNELS,
  ...CONV_KERNELS,
  ...IMAGE_KERNELS,
];

/** A kernel asked of a backend that does not have it. */
export class KernelNotFoundError extends DlpError {
  override readonly name = 'KernelNotFoundError';
}

const registry = new Map<string, unknown>();

const key = (name: KernelName, backend: BackendName) => `${backend}/${name}`;

export function registerKernel<K extends KernelName>(name: K, backend: BackendName, impl: KernelSignatures[K]): void {
  registry.set(key(name, backend), impl);
}

export function getKernel<K extends KernelName>(name: K, backend: BackendName): KernelSignatures[K] {
  const impl = registry.get(key(name, backend));
  if (impl === undefined) {
    throw new KernelNotFoundError(`kernel '${name}' is not implemented on the ${backend} backend`);
  }
  const profile = activeKernelProfile();
  return profile ? profile.wrap(name, impl as KernelSignatures[K]) : (impl as KernelSignatures[K]);
}

export function hasKernel(name: KernelName, backend: BackendName): boolean {
  return registry.has(key(name, backend));
}
