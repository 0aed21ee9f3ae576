/**
 * Mini-batches exactly as the course's `DataSet.next_batch`: sequential through the array, the
 * first epoch in file order, and a fresh shuffle whenever the next batch would run past the end.
 */
import { ArgumentError } from '../errors.js';
import { Rng } from '../random.js';
import { CIFAR10_IMAGE_BYTES } from './cifar10-format.js';
import type { Cifar10Split } from './cifar10-split.js';
import { centerImages } from './preprocess.js';

/** One mini-batch. */
export interface Batch {
  /** B×3072 floats, `pixel − mean`, NCHW (B×3×32×32). */
  x: Float32Array;
  /** B labels, 0..9. */
  labels: Uint8Array;
  /** Which images of the split the batch holds (positions in the split, not in the order). */
  indices: Uint32Array;
}

/** Options of {@link BatchIterator}. */
export interface BatchIteratorOptions {
  /** Images per batch, 1..N. */
  batchSize: number;
  /** The training mean image (Float32Array(3072)) subtracted from every image. */
  mean: Float32Array;
  /** Seed of the shuffles (ignored when `rng` is given). Default 0. */
  seed?: number;
  /** A generator to draw the shuffles from, e.g. one shared by the whole run. */
  rng?: Rng;
  /**
   * When true, every `next()` returns the same three arrays, overwritten in place: no
   * allocation per step, but a batch is only valid until the next call. Default false: each
   * batch owns fresh arrays and may be kept.
   */
  reuseBuffers?: boolean;
}

/**
 * Where a {@link BatchIterator} stands, as plain JSON-able numbers (saved in checkpoints): the
 * counters, the position in the current order, its generator's state, and the generator state
 * the current order was drawn from (null in epoch 0, whose order is the file order). The order
 * itself is not stored: it is drawn again from `orderRng`.
 */
export interface BatchIteratorState {
  epoch: number;
  step: number;
  position: number;
  rng: number[];
  orderRng: number[] | null;
}

/**
 * Serves batches from a split. Batch k of an epoch holds positions k·B … k·B+B−1 of the
 * current order. The first order is the file order. When `position + B > N`, the images left in that
 * epoch are skipped (as the course does), a fresh permutation of all N images is drawn from the
 * generator, and the batch starts at position 0 of it. So with N = 10, B = 4 the batches are
 * [0..3], [4..7], then a shuffled [p0..p3], … and images 8, 9 are not seen in epoch 0.
 */
export class BatchIterator {
  /** Epochs completed, i.e. reshuffles so far (the course's `epochs_completed`). */
  epoch = 0;
  /** Batches served so far. */
  step = 0;

  private readonly split: Cifar10Split;
  private readonly batchSize: number;
  private readonly mean: Float32Array;
  private readonly rng: Rng;
  private readonly reuse: boolean;
  /** The current epoch's order: `order[p]` is the image at position p. */
  private currentOrder: Uint32Array;
  /** The generator's state just before it drew `currentOrder` (undefined: the file order). */
  private orderRng: Uint32Array | undefined;
  private position = 0;
  private buffers: Batch | undefined;
  private indexBuffers: Pick<Batch, 'indices' | 'labels'> | undefined;

  constructor(split: Cifar10Split, options: BatchIteratorOptions) {
    const { batchSize } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > split.length) {
      throw new ArgumentError(
        `batch size must be an integer in 1..${split.length} (the split's size), got ${batchSize}`,
      );
    }
    if (options.mean.length !== CIFAR10_IMAGE_BYTES) {
      throw new ArgumentError(
        `mean image must have ${CIFAR10_IMAGE_BYTES} values, got ${options.mean.length}`,
      );
    }
    this.split = split;
    this.batchSize = batchSize;
    this.mean = options.mean;
    this.rng = options.rng ?? new Rng(options.seed ?? 0);
    this.reuse = options.reuseBuffers ?? false;
    this.currentOrder = new Uint32Array(split.length);
    for (let i = 0; i < split.length; i++) this.currentOrder[i] = i;
  }

  /** The current epoch's order of image indices (a copy). */
  order(): Uint32Array {
    return this.currentOrder.slice();
  }

  /** Where the iterator stands (a copy), for {@link BatchIterator.loadStateDict}. */
  stateDict(): BatchIteratorState {
    return {
      epoch: this.epoch,
      step: this.step,
      position: this.position,
      rng: Array.from(this.rng.state()),
      orderRng: this.orderRng ? Array.from(this.orderRng) : null,
    };
  }

  /**
   * Continues from a saved {@link BatchIteratorState}: the next batch is the one the saved
   * iterator would have served next. The generator is set in place (a shared one follows).
   * @throws ArgumentError for a state that does not fit this split and batch size; the iterator
   *   is left as it was
   */
  loadStateDict(state: BatchIteratorState): void {
    const n = this.split.length;
    const count = (name: string, v: unknown, max = Number.MAX_SAFE_INTEGER): number => {
      if (!Number.isSafeInteger(v) || (v as number) < 0 || (v as number) > max) {
        throw new ArgumentError(`batch iterator state: ${name} must be an integer in 0..${max}, got ${String(v)}`);
      }
      return v as number;
    };
    const epoch = count('epoch', state?.epoch);
    const step = count('step', state?.step);
    const position = count('position', state?.position, n);
    if (position % this.batchSize !== 0) {
      throw new ArgumentError(`batch iterator state: position ${position} is not a multiple of the batch size ${this.batchSize}`);
    }
    if ((state.orderRng === null) !== (epoch === 0)) {
      throw new ArgumentError(`batch iterator state: epoch ${epoch} needs ${epoch === 0 ? 'no' : 'an'} orderRng`);
    }
    // Rng.fromState checks both generator states before anything changes.
    const order = state.orderRng === null ? undefined : Rng.fromState(state.orderRng);
    Rng.fromState(state.rng);
    this.orderRng = order?.state();
    this.currentOrder = order ? order.permutation(n) : Uint32Array.from({ length: n }, (_, i) => i);
    this.rng.setState(state.rng);
    this.epoch = epoch;
    this.step = step;
    this.position = position;
  }

  /** The next batch; see the class comment for the order and `reuseBuffers` for ownership. */
  next(): Batch {
    const out = this.outputBuffers();
    this.advance(out.indices, out.labels);
    centerImages(this.split.pixels, this.mean, out.indices, out.x);
    return out;
  }

  /**
   * The next batch's image indices and labels only (same order as `next`), for callers that
   * centre the images themselves, e.g. straight into a tensor with the gatherCenter kernel.
   * The two arrays are fresh unless `reuseBuffers` is set.
   */
  nextIndices(): Pick<Batch, 'indices' | 'labels'> {
    const b = this.batchSize;
    const out = this.reuse
      ? (this.indexBuffers ??= { indices: new Uint32Array(b), labels: new Uint8Array(b) })
      : { indices: new Uint32Array(b), labels: new Uint8Array(b) };
    this.advance(out.indices, out.labels);
    return out;
  }

  /** Fills the next batch's indices and labels, reshuffling first when the epoch runs out. */
  private advance(indices: Uint32Array, labels: Uint8Array): void {
    const b = this.batchSize;
    if (this.position + b > this.split.length) {
      this.epoch++;
      this.orderRng = this.rng.state();
      this.currentOrder = this.rng.permutation(this.split.length);
      this.position = 0;
    }
    indices.set(this.currentOrder.subarray(this.position, this.position + b));
    this.position += b;
    this.step++;
    for (let r = 0; r < b; r++) labels[r] = this.split.labels[indices[r]!]!;
  }

  private outputBuffers(): Batch {
    const b = this.batchSize;
    const fresh = (): Batch => ({
      x: new Float32Array(b * CIFAR10_IMAGE_BYTES),
      labels: new Uint8Array(b),
      indices: new Uint32Array(b),
    });
    if (!this.reuse) return fresh();
    this.buffers ??= fresh();
    return this.buffers;
  }
}
