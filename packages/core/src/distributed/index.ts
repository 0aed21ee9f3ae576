/** Data-parallel training: the communicator a run uses, and how a trainer uses it. */
export type { Communicator } from './communicator.js';
export { mpiCommunicator } from './mpi.js';
export { BUCKET_ELEMENTS, DataParallel, shardRange } from './data-parallel.js';
