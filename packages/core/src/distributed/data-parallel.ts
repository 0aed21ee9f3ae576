/**
 * Data-parallel training over a Communicator, as PyTorch's DistributedDataParallel does it:
 * every rank holds the whole model; rank 0's initial weights are broadcast; each global batch
 * is split into one shard per rank (rank r takes rows ⌊r·B/N⌋ … ⌊(r+1)·B/N⌋ − 1 of the batch a
 * single process would take, so the data order is the single process's); each rank's backward
 * is seeded with its share of the batch (n_r / B), so that the all-reduced sum of the
 * gradients is the gradient of the global batch's mean loss; then every rank takes the same
 * optimiser step. BatchNorm normalises each shard with its own statistics, as DDP does by
 * default (its running statistics stay per rank; rank 0's are the ones saved).
 *
 * The gradients are all-reduced in place: on the device where the communicator has collectives
 * for the tensors' backend (NCCL on cuda: one call per tensor, on the GPU's stream); in host
 * memory (native, wasm, js) tensors of at least BUCKET_ELEMENTS one call each, the smaller ones
 * gathered into one bucket and reduced in one call. The reduction runs after the whole backward, not
 * overlapped with it: JavaScript runs the backward on one thread, and on the machines this was
 * measured on the all-reduce is a small share of a step (docs/results/scale-out.md).
 */

import { HostMemoryBackend } from '../backends/host-access.js';
import type { Backend } from '../backends/backend.js';
import type { TypedArray } from '../dtype.js';
import { ArgumentError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import type { StepResult } from '../train/trainable.js';
import type { Communicator } from './communicator.js';

/** Gradients smaller than this go through the shared bucket; larger ones are reduced in place. */
export const BUCKET_ELEMENTS = 65_536;

/** Rows [start, end) of a batch of `rows` that rank `rank` of `size` takes. */
export function shardRange(rows: number, rank: number, size: number): { start: number; end: number } {
  if (rows < size) throw new ArgumentError(`a batch of ${rows} cannot be split over ${size} processes: each needs at least one row`);
  return { start: Math.floor((rank * rows) / size), end: Math.floor(((rank + 1) * rows) / size) };
}

export class DataParallel {
  readonly communicator: Communicator;
  readonly #bucket: { values: Float32Array | Float64Array } = { values: new Float32Array(0) };

  constructor(communicator: Communicator) {
    this.communicator = communicator;
  }

  get rank(): number {
    return this.communicator.rank;
  }

  get size(): number {
    return this.communicator.size;
  }

  /** Rank 0's values of `tensors` (parameters and buffers, in one order on every rank) into every rank's. */
  broadcastFromRoot(tensors: readonly Tensor[]): void {
    const device = this.communicator.device;
    for (const t of tensors) {
      if (device && t.backend === device.backend) {
        device.broadcast(t.storage, 0);
        continue;
      }
      // As bytes: float32 and float64 (the js backend's) tensors alike.
      const values = t.backend.read(t.storage);
      this.communicator.broadcastBytes(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), 0);
      t.backend.write(t.storage, values);
    }
  }

  /** Sums each gradient over the ranks, in place (see the module docs). */
  allReduceGradients(params: readonly Tensor[]): void {
    const device = this.communicator.device;
    const small: Tensor[] = [];
    for (const p of params) {
      const g = p.grad;
      if (!g) continue;
      if (device && g.backend === device.backend) device.allReduceSum(g.storage);
      else if (g.size < BUCKET_ELEMENTS) small.push(g);
      else this.#allReduceTensor(g);
    }
    if (small.length > 0) this.#allReduceBucket(small);
  }

  /**
   * The global batch's mean loss and correct count from this rank's (its shard of `rows` of the
   * `globalRows`): the same numbers on every rank.
   */
  combine(local: StepResult, rows: number, globalRows: number): StepResult {
    const sums = Float64Array.of(local.loss * rows, local.correct);
    this.communicator.allReduceSumF64(sums);
    return { loss: sums[0]! / globalRows, correct: sums[1]! };
  }

  #allReduceTensor(t: Tensor): void {
    const host = hostView(t.backend, t);
    if (host) {
      this.#allReduce(host);
      return;
    }
    const values = t.backend.read(t.storage);
    this.#allReduce(values);
    t.backend.write(t.storage, values);
  }

  /** float32 or float64 values (the js backend's float64 tensors), summed in place. */
  #allReduce(values: TypedArray): void {
    if (values instanceof Float64Array) this.communicator.allReduceSumF64(values);
    else this.communicator.allReduceSum(values);
  }

  #allReduceBucket(tensors: readonly Tensor[]): void {
    const total = tensors.reduce((n, t) => n + t.size, 0);
    const float64 = tensors[0]!.dtype === 'float64';
    if (this.#bucket.values.length !== total || this.#bucket.values instanceof Float64Array !== float64) {
      this.#bucket.values = float64 ? new Float64Array(total) : new Float32Array(total);
    }
    const bucket = this.#bucket.values;
    let offset = 0;
    for (const t of tensors) {
      bucket.set(hostView(t.backend, t) ?? t.backend.read(t.storage), offset);
      offset += t.size;
    }
    this.#allReduce(bucket);
    offset = 0;
    for (const t of tensors) {
      t.backend.write(t.storage, bucket.subarray(offset, offset + t.size));
      offset += t.size;
    }
  }
}

/** The tensor's live host memory where its backend has one (gradients are contiguous), else undefined. */
function hostView(backend: Backend, t: Tensor): TypedArray | undefined {
  if (!(backend instanceof HostMemoryBackend)) return undefined;
  const view = backend.view(t.storage);
  return view.length === t.size ? view : undefined;
}
