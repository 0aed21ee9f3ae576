/**
 * The NCCL communicator: data-parallel training on GPUs (`--distributed nccl` with `--backend
 * cuda`). The processes are still started by mpirun, and MPI still gives each its rank, carries
 * NCCL's unique id from rank 0 to the others and runs the host-side collectives (a step's loss
 * and counts); the gradients, on the GPU, are summed by NCCL there, without a trip through the
 * host. Each process uses its own GPU (the cuda backend opens the one of its local rank): NCCL
 * refuses two ranks on one device.
 */

import { CudaBackend } from '../backends/cuda/cuda-backend.js';
import type { Backend } from '../backends/backend.js';
import { DistributedError } from '../errors.js';
import type { Communicator } from './communicator.js';

/** `world` (MPI) with NCCL's device collectives on `backend`'s GPU. */
export function ncclCommunicator(backend: Backend, world: Communicator): Communicator {
  if (!(backend instanceof CudaBackend)) {
    throw new DistributedError(`--distributed nccl sums GPU buffers: it needs --backend cuda, not ${backend.name} (use --distributed mpi on the CPU)`);
  }
  const id = world.rank === 0 ? backend.ncclUniqueId() : new Uint8Array(128);
  world.broadcastBytes(id, 0);
  backend.ncclJoin(id, world.rank, world.size);
  return {
    ...world,
    kind: 'nccl',
    device: {
      backend,
      allReduceSum: (storage) => backend.ncclAllReduceSum(storage),
      broadcast: (storage, root) => backend.ncclBroadcast(storage, root),
    },
  };
}
