/**
 * A split restricted to some classes (the transfer experiment pretrains on classes 0–4 and
 * fine-tunes on 5–9). Labels keep their CIFAR-10 values, so a 10-way head and the class names
 * still apply; the images are copied, in their original order.
 */

import { ArgumentError } from '../errors.js';
import { CIFAR10_IMAGE_BYTES, CIFAR10_NUM_CLASSES } from './cifar10-format.js';
import { Cifar10Split } from './cifar10-split.js';

/** The images of `split` whose label is one of `classes` (each an integer in 0..9). */
export function onlyClasses(split: Cifar10Split, classes: readonly number[]): Cifar10Split {
  if (classes.length === 0) throw new ArgumentError('onlyClasses: name at least one class');
  const wanted = new Uint8Array(CIFAR10_NUM_CLASSES);
  for (const c of classes) {
    if (!Number.isInteger(c) || c < 0 || c >= CIFAR10_NUM_CLASSES) {
      throw new ArgumentError(`onlyClasses: class ${c} is not an integer in 0..${CIFAR10_NUM_CLASSES - 1}`);
    }
    wanted[c] = 1;
  }
  let count = 0;
  for (const label of split.labels) count += wanted[label]!;
  const labels = new Uint8Array(count);
  const pixels = new Uint8Array(count * CIFAR10_IMAGE_BYTES);
  let j = 0;
  for (let i = 0; i < split.length; i++) {
    const label = split.labels[i]!;
    if (!wanted[label]) continue;
    labels[j] = label;
    pixels.set(split.image(i), j * CIFAR10_IMAGE_BYTES);
    j++;
  }
  return new Cifar10Split(labels, pixels);
}
