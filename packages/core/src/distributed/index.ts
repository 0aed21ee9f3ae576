/** Data-parallel training: the communicator a run uses, and how a trainer uses it. */
export type { Communicator, DeviceCollectives } from './communicator.js';
export { mpiCommunicator } from './mpi.js';
export { shareBytes } from './share.js';
export { ncclCommunicator } from './nccl.js';
export { BUCKET_ELEMENTS, DataParallel, shardRange } from './data-parallel.js';
