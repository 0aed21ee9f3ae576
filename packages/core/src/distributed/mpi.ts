/**
 * The MPI communicator: Open MPI through the native addon (crates/mpi opens libmpi at run
 * time, so neither the addon's build nor a run without --distributed needs MPI). Start the
 * processes with mpirun: `mpirun -n 2 dlp train --setup 5 --distributed mpi`; a process started
 * alone is a world of one. Node only.
 */

import { loadNativeAddon } from '../backends/native/binding.js';
import { typedError } from '../backends/rust-binding.js';
import { DistributedError } from '../errors.js';
import type { Communicator } from './communicator.js';

/** Runs an addon call, its error as dlp's DistributedError. */
function call<T>(f: () => T): T {
  try {
    return f();
  } catch (error) {
    throw typedError(error);
  }
}

let world: Communicator | undefined;

/** This process's MPI world, initialised on first use (DistributedError where MPI is missing). */
export function mpiCommunicator(): Communicator {
  if (world) return world;
  let addon;
  try {
    addon = loadNativeAddon();
  } catch (error) {
    throw new DistributedError(`--distributed mpi needs the native addon: ${(error as Error).message}`);
  }
  const { rank, size } = call(() => addon.mpiInit());
  // Open MPI's mpirun says how many of the job's processes share this machine.
  const local = Number(globalThis.process?.env?.OMPI_COMM_WORLD_LOCAL_SIZE);
  world = {
    kind: 'mpi',
    rank,
    size,
    localSize: Number.isInteger(local) && local >= 1 ? local : size,
    allReduceSum: (values) => call(() => addon.mpiAllReduceSum(values)),
    allReduceSumF64: (values) => call(() => addon.mpiAllReduceSumF64(values)),
    broadcast: (values, root) => call(() => addon.mpiBroadcast(values, root)),
    broadcastBytes: (values, root) => call(() => addon.mpiBroadcastBytes(values, root)),
    barrier: () => call(() => addon.mpiBarrier()),
    abort: (code) => {
      addon.mpiAbort(code);
      throw new DistributedError('MPI_Abort returned');
    },
    finalize: () => call(() => addon.mpiFinalize()),
  };
  return world;
}
