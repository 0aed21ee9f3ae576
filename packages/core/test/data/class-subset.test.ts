import { describe, expect, it } from 'vitest';

import { ArgumentError } from '../../src/errors.js';
import { Cifar10Split } from '../../src/data/cifar10-split.js';
import { onlyClasses } from '../../src/data/class-subset.js';

/** Six images whose every byte is its index, labelled 0, 5, 1, 5, 9, 0. */
function tinySplit(): Cifar10Split {
  const labels = Uint8Array.from([0, 5, 1, 5, 9, 0]);
  const pixels = new Uint8Array(labels.length * 3072);
  for (let i = 0; i < labels.length; i++) pixels.fill(i, i * 3072, (i + 1) * 3072);
  return new Cifar10Split(labels, pixels);
}

describe('onlyClasses', () => {
  it('keeps the images of the named classes, in order, with their own labels and pixels', () => {
    const subset = onlyClasses(tinySplit(), [5, 9]);
    expect(Array.from(subset.labels)).toEqual([5, 5, 9]);
    expect([0, 1, 2].map((i) => subset.image(i)[100])).toEqual([1, 3, 4]);
    expect(Array.from(subset.classCounts())).toEqual([0, 0, 0, 0, 0, 2, 0, 0, 0, 1]);
  });

  it('gives an empty split when no image has those classes', () => {
    expect(onlyClasses(tinySplit(), [7]).length).toBe(0);
  });

  it('refuses no classes, and classes outside 0..9', () => {
    expect(() => onlyClasses(tinySplit(), [])).toThrow(ArgumentError);
    expect(() => onlyClasses(tinySplit(), [10])).toThrow('onlyClasses: class 10 is not an integer in 0..9');
    expect(() => onlyClasses(tinySplit(), [1.5])).toThrow(ArgumentError);
  });
});
