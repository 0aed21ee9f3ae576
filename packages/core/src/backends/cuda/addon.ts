/**
 * The native addon's CUDA functions (crates/node/src/cuda/), present when it was built with
 * the `cuda` feature. The default build's generated declarations do not have them, so they
 * are declared here and looked up at run time; crates/node/src/cuda/ is their definition.
 *
 * Device buffers are numbers. Every kernel of the contract is a function of the `cuda` object
 * (`cuda.biasAdd`, …) taking the CPU function's arguments with buffer numbers in place of
 * typed arrays (`cudaKernels()` lists those that run on the GPU).
 */

import type { NativeAddon } from '../native/binding.js';

export interface CudaFunctions {
  /** Opens GPU `ordinal` (compiling the kernels); its description, e.g. "NVIDIA H100 … (sm_90)". */
  cudaOpen(ordinal: number): string;
  /** The kernels that run on the GPU, by their JS names. */
  cudaKernels(): string[];
  /** A zero-filled device buffer; its number. */
  cudaAllocate(length: number, dtype: 'float32' | 'int32'): number;
  cudaUpload(data: Float32Array): number;
  cudaUploadBytes(data: Uint8Array): number;
  cudaRead(id: number, offset: number, length: number): Float32Array;
  cudaWrite(id: number, data: Float32Array, offset: number): void;
  cudaFill(id: number, value: number): void;
  cudaRelease(id: number): void;
  cudaSynchronize(): void;
  cudaMemory(): { buffers: number; bytes: number };
  /** NCCL (data-parallel on GPUs): a fresh unique id, which rank 0 makes and sends to the others. */
  cudaNcclUniqueId(): Uint8Array;
  /** Joins the communicator of `size` ranks named by `id` (all ranks together). */
  cudaNcclJoin(id: Uint8Array, rank: number, size: number): void;
  /** Sums float32 buffer `id` over the NCCL ranks, in place. */
  cudaNcclAllReduceSum(id: number): void;
  /** Rank `root`'s buffer `id` into every NCCL rank's. */
  cudaNcclBroadcast(id: number, root: number): void;
  /** Every kernel of the contract, by its JS name. */
  cuda: Record<string, CudaKernelFunction>;
}

/** A kernel function of the addon: one object of named arguments, buffers by number. */
export type CudaKernelFunction = (args: Record<string, unknown>) => unknown;

/** The addon's CUDA functions, or undefined when it was built without the feature. */
export function cudaFunctions(addon: NativeAddon): CudaFunctions | undefined {
  const functions = addon as unknown as Partial<CudaFunctions>;
  return typeof functions.cudaOpen === 'function' ? (functions as CudaFunctions) : undefined;
}
