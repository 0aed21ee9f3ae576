/**
 * `--distributed nccl`'s wiring, on the CPU stand-in for the addon's CUDA functions (whose NCCL
 * acts as among ranks holding the same values: a sum is `size` times this rank's): rank 0's
 * unique id goes to the others over MPI, every rank joins, and data-parallel training sums and
 * broadcasts the cuda backend's tensors with NCCL on the device, never through the host. NCCL
 * itself needs GPUs (one per rank); it has not run here.
 */

import { describe, expect, it } from 'vitest';
import { distributed, DistributedError, getBackend, Tensor } from '../../src/index.js';
import { CudaBackend } from '../../src/backends/cuda/cuda-backend.js';
import type { Communicator } from '../../src/distributed/communicator.js';
import { cpuStandIn } from '../backends/cuda-cpu-stand-in.js';

/** An MPI world of two ranks seen from `rank`, recording what crosses it. */
function mpiWorld(rank: number) {
  const sent: { bytes: Uint8Array[]; hostSums: number } = { bytes: [], hostSums: 0 };
  const world: Communicator = {
    kind: 'mpi',
    rank,
    size: 2,
    localSize: 2,
    allReduceSum: (v) => {
      sent.hostSums++;
      v.forEach((x, i) => (v[i] = 2 * x));
    },
    allReduceSumF64: (v) => v.forEach((x, i) => (v[i] = 2 * x)),
    broadcast: () => undefined,
    broadcastBytes: (values) => {
      // What rank 0 sent, as every rank receives it.
      if (rank !== 0) values.set(Uint8Array.from({ length: 128 }, (_, i) => i));
      sent.bytes.push(values.slice());
    },
    barrier: () => undefined,
    abort: (): never => {
      throw new Error('abort');
    },
    finalize: () => undefined,
  };
  return { world, sent };
}

describe('the NCCL communicator', () => {
  const standIn = cpuStandIn();
  const cuda = new CudaBackend(standIn);

  it.each([[0], [1]])('rank %i joins with rank 0’s unique id, carried over MPI', (rank) => {
    const { world, sent } = mpiWorld(rank);
    const joins = standIn.calls.get('ncclJoin') ?? 0;
    const communicator = distributed.ncclCommunicator(cuda, world);
    expect(communicator).toMatchObject({ kind: 'nccl', rank, size: 2 });
    expect(sent.bytes).toHaveLength(1);
    expect(Array.from(sent.bytes[0]!.subarray(0, 4))).toEqual([0, 1, 2, 3]);
    expect(standIn.calls.get('ncclJoin')).toBe(joins + 1);
  });

  it('sums and broadcasts the cuda backend’s tensors on the device, none through the host', () => {
    const { world, sent } = mpiWorld(0);
    const parallel = new distributed.DataParallel(distributed.ncclCommunicator(cuda, world));
    const params = [Tensor.zeros([distributed.BUCKET_ELEMENTS + 1], { backend: cuda, requiresGrad: true }), Tensor.zeros([3], { backend: cuda, requiresGrad: true })];
    params[0]!.grad = Tensor.from(Array.from({ length: params[0]!.size }, (_, i) => i % 5), params[0]!.shape, { backend: cuda });
    params[1]!.grad = Tensor.from([1, 2, 3], [3], { backend: cuda });
    const sums = standIn.calls.get('ncclAllReduceSum') ?? 0;
    parallel.allReduceGradients(params);
    expect(standIn.calls.get('ncclAllReduceSum')).toBe(sums + 2);
    expect(sent.hostSums).toBe(0);
    expect(Array.from(params[1]!.grad.toArray())).toEqual([2, 4, 6]);
    expect(Array.from(params[0]!.grad.toArray()).slice(0, 6)).toEqual([0, 2, 4, 6, 8, 0]);
    parallel.broadcastFromRoot(params);
    expect(standIn.calls.get('ncclBroadcast')).toBe(2);
  });

  it('needs the cuda backend', () => {
    expect(() => distributed.ncclCommunicator(getBackend('native'), mpiWorld(0).world)).toThrow(DistributedError);
    expect(() => distributed.ncclCommunicator(getBackend('native'), mpiWorld(0).world)).toThrow(/needs --backend cuda, not native/);
  });
});
