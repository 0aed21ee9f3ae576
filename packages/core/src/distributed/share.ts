/**
 * Rank 0's bytes to every rank, whatever their length (what a resumed data-parallel run's
 * other ranks need: the run's settings and its checkpoint, which only rank 0 reads).
 */

import { DistributedError } from '../errors.js';
import type { Communicator } from './communicator.js';

/** Rank 0 passes `bytes`; every rank (rank 0 too) gets them back. */
export function shareBytes(communicator: Communicator, bytes: Uint8Array | undefined): Uint8Array {
  const root = communicator.rank === 0;
  if (root && bytes === undefined) throw new DistributedError('shareBytes: rank 0 has nothing to share');
  const length = new Float64Array([root ? bytes!.length : 0]);
  communicator.broadcastBytes(new Uint8Array(length.buffer), 0);
  const out = root ? bytes! : new Uint8Array(length[0]!);
  communicator.broadcastBytes(out, 0);
  return out;
}
