import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../../src/errors.js';
import { centerImages, computeMeanImage } from '../../src/data/preprocess.js';
import { IMAGE } from './helpers.js';

/** N images where pixel j of image i is f(i, j). */
function images(n: number, f: (i: number, j: number) => number): Uint8Array {
  const pixels = new Uint8Array(n * IMAGE);
  for (let i = 0; i < n; i++) for (let j = 0; j < IMAGE; j++) pixels[i * IMAGE + j] = f(i, j);
  return pixels;
}

describe('computeMeanImage', () => {
  it('is exact when the mean is representable', () => {
    // Offsets 0, 1, 2, 5 average to exactly 2 on top of a per-pixel base.
    const offsets = [0, 1, 2, 5];
    const mean = computeMeanImage(images(4, (i, j) => (j % 200) + offsets[i]!));
    expect(mean).toBeInstanceOf(Float32Array);
    expect(mean.length).toBe(IMAGE);
    for (const j of [0, 1, 199, 200, 1023, 1024, 2048, IMAGE - 1])
      expect(mean[j]).toBe((j % 200) + 2);
  });

  it('rounds once, to the float32 nearest the true mean', () => {
    // Sum 1 over three images: the true mean 1/3 is not a float32; 255·3 − 1 over 3 neither.
    const mean = computeMeanImage(
      images(3, (i, j) => (j % 2 === 0 ? (i === 0 ? 1 : 0) : i === 2 ? 254 : 255)),
    );
    expect(mean[0]).toBe(Math.fround(1 / 3));
    expect(mean[1]).toBe(Math.fround(764 / 3));
  });

  it('keeps per-pixel (not per-channel) means', () => {
    const mean = computeMeanImage(images(2, (i, j) => (j === 5 ? 200 * i : 10)));
    expect(mean[5]).toBe(100);
    expect(mean[4]).toBe(10);
    expect(mean[6]).toBe(10);
  });

  it('gives the same means read by words (aligned) and by bytes (a view off a 4-byte boundary)', () => {
    // Pseudo-random bytes covering 0 and 255, in a buffer one byte longer than the images.
    const n = 37;
    const buffer = new Uint8Array(n * IMAGE + 1);
    for (let i = 0; i < buffer.length; i++) buffer[i] = (Math.imul(i + 1, 2654435761) >>> 24) | (i % 97 === 0 ? 255 : 0);
    const aligned = buffer.subarray(0, n * IMAGE);
    const shifted = buffer.subarray(1);
    const exact = (pixels: Uint8Array): Float32Array => {
      const mean = new Float32Array(IMAGE);
      for (let j = 0; j < IMAGE; j++) {
        let sum = 0;
        for (let i = 0; i < n; i++) sum += pixels[i * IMAGE + j]!;
        mean[j] = sum / n;
      }
      return mean;
    };
    expect(computeMeanImage(aligned)).toEqual(exact(aligned));
    expect(computeMeanImage(shifted)).toEqual(exact(shifted));
  });

  it('refuses a partial image or an empty set', () => {
    expect(() => computeMeanImage(new Uint8Array(IMAGE + 1))).toThrow(ArgumentError);
    expect(() => computeMeanImage(new Uint8Array(0))).toThrow(ArgumentError);
  });
});

describe('centerImages', () => {
  const pixels = images(5, (i, j) => (i * 50 + j) % 256);
  const mean = computeMeanImage(pixels);
  const row = (i: number): number[] =>
    Array.from({ length: IMAGE }, (_, j) => Math.fround(((i * 50 + j) % 256) - mean[j]!));

  it('subtracts the mean image for a list of indices, in the given order', () => {
    const x = centerImages(pixels, mean, [4, 1, 4]);
    expect(x.length).toBe(3 * IMAGE);
    expect(Array.from(x.subarray(0, IMAGE))).toEqual(row(4));
    expect(Array.from(x.subarray(IMAGE, 2 * IMAGE))).toEqual(row(1));
    expect(Array.from(x.subarray(2 * IMAGE))).toEqual(row(4));
  });

  it('handles a range and writes into a caller buffer', () => {
    const out = new Float32Array(2 * IMAGE);
    const x = centerImages(pixels, mean, { start: 3, count: 2 }, out);
    expect(x).toBe(out);
    expect(Array.from(x.subarray(0, IMAGE))).toEqual(row(3));
    expect(Array.from(x.subarray(IMAGE))).toEqual(row(4));
  });

  it('returns an exact-length view of a larger buffer', () => {
    const out = new Float32Array(4 * IMAGE).fill(7);
    const x = centerImages(pixels, mean, Uint32Array.of(0), out);
    expect(x.length).toBe(IMAGE);
    expect(x.buffer).toBe(out.buffer);
    expect(Array.from(x)).toEqual(row(0));
    expect(out[IMAGE]).toBe(7); // untouched beyond the view
  });

  it('refuses bad indices, ranges, buffers and means', () => {
    expect(() => centerImages(pixels, mean, [5])).toThrow(ArgumentError);
    expect(() => centerImages(pixels, mean, [-1])).toThrow(ArgumentError);
    expect(() => centerImages(pixels, mean, { start: 4, count: 2 })).toThrow(
      /outside the 5 images/,
    );
    expect(() => centerImages(pixels, mean, [0, 1], new Float32Array(IMAGE))).toThrow(/need 6144/);
    expect(() => centerImages(pixels, new Float32Array(10), [0])).toThrow(ArgumentError);
  });
});
