/**
 * A CPU stand-in for the native addon's CUDA functions (crates/node/src/cuda/), for testing
 * the cuda backend's TypeScript half on machines without a GPU: buffers are typed arrays kept
 * by number, and each kernel runs the addon's CPU function of the same name on them. It is
 * not the device: the CUDA kernels are tested against the CPU ones in crates/cuda on a GPU.
 *
 * Buffer numbers start at FIRST_ID, far above any size these tests pass, so a number argument
 * is a buffer exactly when it is at least that (the real addon knows from the declarations).
 */

import type { CudaFunctions } from '../../src/backends/cuda/addon.js';
import { loadNativeAddon } from '../../src/backends/native/binding.js';
import { KERNEL_NAMES } from '../../src/kernels/registry.js';

const FIRST_ID = 1_000_000_000;

type Buffer = Float32Array | Int32Array | Uint8Array;
type CpuFunction = (args: Record<string, unknown>) => unknown;

/** An error as the addon throws them: a JS Error whose `code` names dlp's error class. */
function addonError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

export interface CpuStandIn extends CudaFunctions {
  /** Calls of each kernel (and NCCL function) so far, by name. */
  readonly calls: Map<string, number>;
}

export function cpuStandIn(): CpuStandIn {
  const cpu = loadNativeAddon() as unknown as Record<string, CpuFunction>;
  const buffers = new Map<number, Buffer>();
  const calls = new Map<string, number>();
  const count = (name: string) => calls.set(name, (calls.get(name) ?? 0) + 1);
  const nccl = { rank: 0, size: 1 };
  let next = FIRST_ID;
  const keep = (buffer: Buffer) => {
    buffers.set(next, buffer);
    return next++;
  };
  const get = (id: number) => {
    const buffer = buffers.get(id);
    if (!buffer) throw addonError('ArgumentError', `cuda: buffer ${id} is not live`);
    return buffer;
  };
  const cuda: Record<string, CpuFunction> = {};
  for (const name of KERNEL_NAMES) {
    cuda[name] = (args) => {
      count(name);
      const onCpu: Record<string, unknown> = {};
      for (const key in args) {
        const value = args[key];
        onCpu[key] = typeof value === 'number' && value >= FIRST_ID ? get(value) : value;
      }
      return cpu[name]!(onCpu);
    };
  }
  return {
    calls,
    cuda,
    cudaOpen: () => 'CPU stand-in',
    cudaKernels: () => [...KERNEL_NAMES],
    cudaAllocate: (length, dtype) => keep(dtype === 'int32' ? new Int32Array(length) : new Float32Array(length)),
    cudaUpload: (data) => keep(data.slice()),
    cudaUploadBytes: (data) => keep(data.slice()),
    cudaRead: (id, offset, length) => get(id).slice(offset, offset + length) as Float32Array,
    cudaWrite: (id, data, offset) => get(id).set(data, offset),
    cudaFill: (id, value) => void get(id).fill(value),
    cudaRelease: (id) => {
      if (!buffers.delete(id)) throw addonError('ArgumentError', `cuda: buffer ${id} is not live`);
    },
    cudaSynchronize: () => undefined,
    // NCCL as among ranks that all hold the same values: a sum is `size` times this rank's.
    cudaNcclUniqueId: () => Uint8Array.from({ length: 128 }, (_, i) => i),
    cudaNcclJoin: (id, rank, size) => {
      if (id.length !== 128) throw addonError('ArgumentError', `ncclJoin: the id holds ${id.length} bytes, not 128`);
      count('ncclJoin');
      nccl.size = size;
      nccl.rank = rank;
    },
    cudaNcclAllReduceSum: (id) => {
      count('ncclAllReduceSum');
      const buffer = get(id);
      buffer.forEach((v, i) => (buffer[i] = v * nccl.size));
    },
    cudaNcclBroadcast: (id) => {
      count('ncclBroadcast');
      get(id);
    },
    cudaMemory: () => ({ buffers: buffers.size, bytes: [...buffers.values()].reduce((sum, b) => sum + b.byteLength, 0) }),
  };
}
