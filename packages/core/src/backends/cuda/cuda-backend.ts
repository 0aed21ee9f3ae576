/**
 * The cuda backend: tensors that live on the GPU. A storage is a device buffer, known to JS by
 * its number; every kernel runs on the device through the native addon's `cuda` feature
 * (crates/node/src/cuda/, generated from the same kernel contract as the CPU functions, and
 * crates/cuda's kernels). Nothing comes back to the host except what `read` asks for (the
 * loss, metrics, a checkpoint) and the losses the loss kernels return.
 *
 * Memory: `release` frees a buffer at once (in stream order); a storage nobody releases is
 * freed after the garbage collector collects it (a FinalizationRegistry, which runs between
 * event-loop turns: training loops yield to it). The addon tells V8 how much device memory JS
 * keeps alive, so that collections keep pace with the GPU's memory, not only the JS heap's.
 *
 * Three kernels need more than a buffer number per argument (`ownKernels`): max pooling keeps
 * its argmax indices on the device, keyed by the Int32Array the op hands both passes; and
 * gatherCenter reads the data set's bytes from the device, uploaded once per Uint8Array.
 */

import type { DType, TypedArray } from '../../dtype.js';
import { ArgumentError, DTypeError } from '../../errors.js';
import type { MaxPool2dArgs, MaxPool2dBackwardArgs } from '../../kernels/conv.js';
import type { GatherCenterArgs } from '../../kernels/images.js';
import { registerKernel } from '../../kernels/registry.js';
import type { Backend, Storage } from '../backend.js';
import { checkRange } from '../host-access.js';
import { assertLive, checkAllocation } from '../memory-errors.js';
import { registerBindingKernels, typedError } from '../rust-binding.js';
import type { CudaFunctions } from './addon.js';

/** On the cuda backend a storage is a device buffer's number. */
export interface CudaStorage extends Storage {
  readonly id: number;
  /** Set by release(): the number may already name another buffer. */
  released: boolean;
}

/** Sizes are 32-bit on the addon's side (and a float32 buffer of 2^32 elements is 16 GiB). */
const CUDA_MAX_ELEMENTS = 2 ** 32 - 1;
const CUDA_LIMIT = 'a cuda tensor holds fewer than 2^32 elements';

/** The kernels this backend registers itself (see the module docs). */
const OWN_KERNELS = ['maxPool2d', 'maxPool2dBackward', 'gatherCenter'] as const;

export class CudaBackend implements Backend {
  readonly name = 'cuda' as const;
  readonly threads = 1;
  readonly #cuda: CudaFunctions;
  readonly #description: string;
  /** Frees the buffers of storages the garbage collector took (token: the storage). */
  readonly #finalizer: FinalizationRegistry<number>;
  /** Max pooling's indices on the device, by the op's Int32Array. */
  readonly #indices = new WeakMap<Int32Array, number>();
  /** Data sets' bytes on the device, by the Uint8Array they came from. */
  readonly #pixels = new WeakMap<Uint8Array, number>();

  /** Opens GPU `ordinal` (throws the addon's error, e.g. BackendUnavailableError). */
  constructor(cuda: CudaFunctions, ordinal = 0) {
    this.#cuda = cuda;
    this.#description = call(() => cuda.cudaOpen(ordinal));
    this.#finalizer = new FinalizationRegistry((id) => {
      // A finalizer that throws would end the process: a buffer already gone (the device closed
      // as the process exits) is simply nothing left to free.
      try {
        cuda.cudaRelease(id);
      } catch {
        /* nothing to free */
      }
    });
    const onGpu = new Set(cuda.cudaKernels());
    const exported: Record<string, unknown> = {};
    for (const name of onGpu) exported[name] = cuda.cuda[name];
    registerBindingKernels('cuda', exported, () => exported, (storage) => this.#id(storage), [...OWN_KERNELS]);
    if (onGpu.has('maxPool2d')) registerKernel('maxPool2d', 'cuda', (backend, args) => (backend as CudaBackend).#maxPool2d(args));
    if (onGpu.has('maxPool2dBackward')) {
      registerKernel('maxPool2dBackward', 'cuda', (backend, args) => (backend as CudaBackend).#maxPool2dBackward(args));
    }
    if (onGpu.has('gatherCenter')) registerKernel('gatherCenter', 'cuda', (backend, args) => (backend as CudaBackend).#gatherCenter(args));
  }

  describe(): string {
    return `cuda (${this.#description})`;
  }

  supportsDType(dtype: DType): boolean {
    return dtype === 'float32';
  }

  setThreads(threads: number): void {
    if (threads !== 1) throw new ArgumentError(`cuda backend: threads must be 1 (the GPU runs the kernels), got ${threads}`);
  }

  allocate(length: number, dtype: DType): CudaStorage {
    this.#checkDType(dtype);
    checkAllocation('cuda', length, dtype, CUDA_MAX_ELEMENTS, CUDA_LIMIT);
    return this.#wrap(call(() => this.#cuda.cudaAllocate(length, 'float32')), length);
  }

  /** The same zero-filled buffer: clearing on the device costs next to nothing. */
  allocateForOverwrite(length: number, dtype: DType): CudaStorage {
    return this.allocate(length, dtype);
  }

  upload(data: TypedArray): CudaStorage {
    if (!(data instanceof Float32Array)) this.#checkDType('float64');
    checkAllocation('cuda', data.length, 'float32', CUDA_MAX_ELEMENTS, CUDA_LIMIT);
    return this.#wrap(call(() => this.#cuda.cudaUpload(data as Float32Array)), data.length);
  }

  view(): TypedArray {
    throw new ArgumentError('cuda backend: a tensor on the GPU has no host view; use read, write or fill (tensor.toArray() and friends do)');
  }

  read(storage: Storage, offset = 0, length = storage.length - offset): Float32Array {
    checkRange('read', storage.length, offset, length);
    const id = this.#id(storage);
    return call(() => this.#cuda.cudaRead(id, offset, length));
  }

  write(storage: Storage, data: ArrayLike<number>, offset = 0): void {
    checkRange('write', storage.length, offset, data.length);
    const id = this.#id(storage);
    const values = data instanceof Float32Array ? data : Float32Array.from(data);
    call(() => this.#cuda.cudaWrite(id, values, offset));
  }

  fill(storage: Storage, value: number): void {
    const id = this.#id(storage);
    call(() => this.#cuda.cudaFill(id, value));
  }

  /** Frees the buffer now; the storage, and every tensor on it, must not be used afterwards. */
  release(storage: Storage): void {
    const s = storage as CudaStorage;
    if (s.released) return;
    s.released = true;
    this.#finalizer.unregister(s);
    this.#cuda.cudaRelease(s.id);
  }

  /** Waits for every queued kernel (for timing: reads wait by themselves). */
  synchronize(): void {
    call(() => this.#cuda.cudaSynchronize());
  }

  /** NCCL's unique id for a new communicator (rank 0 makes it; see distributed/nccl.ts). */
  ncclUniqueId(): Uint8Array {
    return call(() => this.#cuda.cudaNcclUniqueId());
  }

  /** Joins the NCCL communicator named by `id` as rank `rank` of `size` (all ranks together). */
  ncclJoin(id: Uint8Array, rank: number, size: number): void {
    call(() => this.#cuda.cudaNcclJoin(id, rank, size));
  }

  /** Sums the storage over the NCCL ranks, in place, on the device. */
  ncclAllReduceSum(storage: Storage): void {
    const id = this.#id(storage);
    call(() => this.#cuda.cudaNcclAllReduceSum(id));
  }

  /** Rank `root`'s storage into every NCCL rank's, on the device. */
  ncclBroadcast(storage: Storage, root: number): void {
    const id = this.#id(storage);
    call(() => this.#cuda.cudaNcclBroadcast(id, root));
  }

  /** The device buffers alive now and their bytes. */
  memory(): { buffers: number; bytes: number } {
    return this.#cuda.cudaMemory();
  }

  #wrap(id: number, length: number): CudaStorage {
    const storage: CudaStorage = { id, length, dtype: 'float32', released: false };
    this.#finalizer.register(storage, id, storage);
    return storage;
  }

  #id(storage: Storage): number {
    const s = storage as CudaStorage;
    assertLive(s);
    if (typeof s.id !== 'number') throw new ArgumentError('cuda backend: this storage belongs to another backend');
    return s.id;
  }

  #checkDType(dtype: DType): void {
    if (dtype !== 'float32') {
      throw new DTypeError(`the cuda backend supports float32 only (got ${dtype}); float64 runs on the js backend`);
    }
  }

  #kernel(name: string, args: Record<string, unknown>): unknown {
    const run = this.#cuda.cuda[name]!;
    return call(() => run({ ...args, threads: 1 }));
  }

  /** The forward writes its argmax indices to a device buffer that the op's array stands for. */
  #maxPool2d(args: MaxPool2dArgs): void {
    let indices = this.#indices.get(args.indices);
    if (indices === undefined) {
      indices = call(() => this.#cuda.cudaAllocate(args.indices.length, 'int32'));
      this.#indices.set(args.indices, indices);
      this.#finalizer.register(args.indices, indices);
    }
    this.#kernel('maxPool2d', { ...args, x: this.#id(args.x), out: this.#id(args.out), indices });
  }

  #maxPool2dBackward(args: MaxPool2dBackwardArgs): void {
    const indices = this.#indices.get(args.indices);
    if (indices === undefined) {
      throw new ArgumentError('maxPool2dBackward: on the cuda backend, indices must be the array a cuda maxPool2d filled');
    }
    this.#kernel('maxPool2dBackward', { ...args, dout: this.#id(args.dout), dx: this.#id(args.dx), indices });
  }

  /** The data set's bytes go up once per array; the mean (3072 floats) with each batch. */
  #gatherCenter(args: GatherCenterArgs): void {
    let pixels = this.#pixels.get(args.pixels);
    if (pixels === undefined) {
      pixels = call(() => this.#cuda.cudaUploadBytes(args.pixels));
      this.#pixels.set(args.pixels, pixels);
      this.#finalizer.register(args.pixels, pixels);
    }
    const mean = this.upload(args.mean);
    try {
      this.#kernel('gatherCenter', { pixels, indices: args.indices, mean: mean.id, out: this.#id(args.out) });
    } finally {
      this.release(mean);
    }
  }
}

/** Runs an addon call, rethrowing its error as dlp's typed error. */
function call<T>(f: () => T): T {
  try {
    return f();
  } catch (error) {
    throw typedError(error);
  }
}
