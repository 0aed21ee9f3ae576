/**
 * What data-parallel training needs of a distributed engine: this process's rank among `size`,
 * and three collectives on host memory. dlp has no engine of its own: `mpiCommunicator`
 * (mpi.ts) is Open MPI through the native addon. Every call is collective: each rank makes the
 * same calls in the same order, with arrays of the same lengths.
 */

import type { Backend, Storage } from '../backends/backend.js';

export interface Communicator {
  /** The engine, for messages and config.json: 'mpi'. */
  readonly kind: string;
  readonly rank: number;
  readonly size: number;
  /** The ranks on this machine (which share its cores). */
  readonly localSize: number;
  /** Sums `values` element by element over the ranks, into every rank's `values`. */
  allReduceSum(values: Float32Array): void;
  /** As allReduceSum, in float64 (losses and counts). */
  allReduceSumF64(values: Float64Array): void;
  /** Rank `root`'s `values` into every rank's `values`. */
  broadcast(values: Float32Array, root: number): void;
  /** Rank `root`'s bytes into every rank's `values` (a checkpoint, NCCL's unique id). */
  broadcastBytes(values: Uint8Array, root: number): void;
  /** Returns once every rank has called it. */
  barrier(): void;
  /** Ends every rank of the job with exit code `code` (after this rank said why). */
  abort(code: number): never;
  /** Ends the engine for this process: each rank calls it once, last. */
  finalize(): void;
  /**
   * Collectives on one backend's device memory (NCCL on the cuda backend): tensors there are
   * summed and broadcast without a copy through the host. Absent: host memory only.
   */
  readonly device?: DeviceCollectives;
}

/** Collectives on the storages of `backend` (see Communicator.device). */
export interface DeviceCollectives {
  readonly backend: Backend;
  allReduceSum(storage: Storage): void;
  broadcast(storage: Storage, root: number): void;
}
