/**
 * The cuda backend's TypeScript half (storages as buffer numbers, host access by copies, the
 * kernels it registers itself, error classes), run on a CPU stand-in for the device
 * (cuda-cpu-stand-in.ts): training steps and evaluation through it must give exactly the
 * native backend's numbers, since the same CPU kernels run underneath. What the GPU computes
 * is checked in crates/cuda's parity tests on a GPU machine.
 */

import { describe, expect, it } from 'vitest';
import { ArgumentError, DisposedTensorError, DTypeError, getBackend, Rng, ShapeError, Tensor, train } from '../../src/index.js';
import { CudaBackend } from '../../src/backends/cuda/cuda-backend.js';
import type { Cifar10Split } from '../../src/data/cifar10-split.js';
import { imageBatch } from '../../src/train/image-batch.js';
import { cpuStandIn } from './cuda-cpu-stand-in.js';

const standIn = cpuStandIn();
const cuda = new CudaBackend(standIn);
const native = getBackend('native');

/** A small random data set and batches of `rows` of it, as `dlp train` forms them. */
function batches(rows: number, count: number) {
  const rng = new Rng(3);
  const images = rows * count;
  const pixels = Uint8Array.from({ length: images * 3072 }, () => rng.nextInt(256));
  const mean = Float32Array.from({ length: 3072 }, () => 100 + rng.nextInt(50));
  const split = { pixels } as unknown as Cifar10Split;
  return Array.from({ length: count }, (_, b) => {
    const indices = Uint32Array.from({ length: rows }, (_, r) => (b * rows + r * 7) % images);
    const labels = Uint8Array.from({ length: rows }, () => rng.nextInt(10));
    return imageBatch(split, mean, indices, labels);
  });
}

/** Losses and correct counts of `steps` training steps and one evaluation of setup `name`. */
function run(name: string, backend: typeof native, steps: number) {
  const preset = train.getSetup(name);
  const trainer = preset.build({ backend, rng: new Rng(42), lr: preset.defaults.lr });
  const data = batches(name === 'convnet' ? 8 : preset.defaults.batchSize, steps + 1);
  const results = data.slice(0, steps).map((batch) => trainer.trainStep(batch));
  results.push(trainer.evaluate(data[steps]!));
  return results;
}

describe('the cuda backend on a CPU stand-in for the device', () => {
  it.each([['5'], ['6'], ['convnet']])('setup %s trains and evaluates exactly as on the native backend', (name) => {
    // The stand-in runs the kernels on one thread, native on all: the results do not depend
    // on the thread count (crates/kernels/tests/thread_count_bits.rs).
    expect(run(name, cuda, 2)).toEqual(run(name, native, 2));
    expect(standIn.calls.get('gatherCenter')).toBeGreaterThan(0);
    if (name === 'convnet') expect(standIn.calls.get('maxPool2dBackward')).toBeGreaterThan(0);
  });

  it('keeps storages on the device: reads, writes and fills are copies; release frees at once', () => {
    const before = cuda.memory().buffers;
    const t = Tensor.from([1, 2, 3, 4, 5, 6], [2, 3], { backend: cuda });
    expect(cuda.memory().buffers).toBe(before + 1);
    expect(Array.from(cuda.read(t.storage, 1, 3))).toEqual([2, 3, 4]);
    cuda.write(t.storage, [9, 8], 4);
    expect(Array.from(t.toArray() as Float32Array)).toEqual([1, 2, 3, 4, 9, 8]);
    cuda.fill(t.storage, 0.5);
    expect(t.sum().item()).toBe(3);
    expect(() => cuda.read(t.storage, 5, 2)).toThrow(ArgumentError);
    expect(() => cuda.view()).toThrow(/no host view/);
    const count = cuda.memory().buffers;
    t.dispose();
    expect(cuda.memory().buffers).toBe(count - 1);
    expect(() => cuda.read(t.storage)).toThrow(DisposedTensorError);
  });

  it('refuses float64 and other backends’ storages, and passes the addon’s errors on as dlp’s classes', () => {
    expect(() => cuda.allocate(4, 'float64')).toThrow(DTypeError);
    expect(() => cuda.upload(new Float64Array(2))).toThrow(DTypeError);
    expect(() => cuda.read(native.allocate(3, 'float32'))).toThrow(/another backend/);
    const a = Tensor.from([1, 2, 3, 4], [2, 2], { backend: cuda });
    const b = Tensor.from([1, 2, 3], [3, 1], { backend: cuda });
    expect(() => a.matmul(b)).toThrow(ShapeError);
    expect(() => cuda.setThreads(2)).toThrow(ArgumentError);
  });
});
