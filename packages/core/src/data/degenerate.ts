/**
 * A data set nothing can be learned from: every label one class (a model reaches 100 % by
 * always answering it), or every image all zeros (nothing to tell the classes apart). Such a set
 * trains without a word and reports a meaningless accuracy, so `dlp data check` fails on it and
 * `dlp train` refuses it unless asked to go on. No Node APIs: the browser uses it too.
 */

import type { Cifar10, Cifar10Split } from './cifar10-split.js';

/** How the classes of a split are spread: counts per class, the smallest and largest. */
export interface ClassBalance {
  counts: number[];
  /** Classes with at least one image. */
  classesPresent: number;
  smallest: number;
  largest: number;
}

export function classBalance(split: Cifar10Split): ClassBalance {
  const counts = Array.from(split.classCounts());
  return {
    counts,
    classesPresent: counts.filter((c) => c > 0).length,
    smallest: Math.min(...counts),
    largest: Math.max(...counts),
  };
}

function allZero(pixels: Uint8Array): boolean {
  // Stops at the first lit pixel: a real set costs a few bytes, only a blank one a full scan.
  for (let i = 0; i < pixels.length; i++) if (pixels[i] !== 0) return false;
  return true;
}

/** Why `split` is degenerate, or undefined when it is not. */
function splitProblem(split: Cifar10Split, name: string, classNames: readonly string[]): string | undefined {
  if (split.length === 0) return `the ${name} set is empty`;
  const balance = classBalance(split);
  if (balance.classesPresent === 1) {
    const only = balance.counts.findIndex((c) => c > 0);
    return `all ${split.length} ${name} labels are class ${only} (${classNames[only] ?? '?'})`;
  }
  if (allZero(split.pixels)) return `all ${split.length} ${name} images are all zeros`;
  return undefined;
}

/**
 * Why this data set cannot be learned from (one class in a split, or all-zero images), or
 * undefined when it can.
 */
export function degenerateDataProblem(cifar: Cifar10): string | undefined {
  return splitProblem(cifar.train, 'training', cifar.classNames) ?? splitProblem(cifar.test, 'test', cifar.classNames);
}
