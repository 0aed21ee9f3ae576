/**
 * Starting a model from pretrained weights, for transfer learning (`dlp train --weights FILE`):
 * every tensor outside the head must come from the file, with its shape; the head (the last
 * layer, named by its prefix: `classifier.` in torchvision's DenseNet, `linear.` in the
 * ConvNet) is loaded only when the file's fits, so a 1000-class ImageNet head leaves a fresh
 * 10-class one in place. And freezing everything but the head (`--freeze-features`).
 */

import { ArgumentError } from '../errors.js';
import type { Module } from '../nn/module.js';
import type { Tensor } from '../tensor.js';

/**
 * A state dict as read from a file or taken from a model: tensors, or {shape, data} with the data
 * in any typed array (an int64 `num_batches_tracked` arrives as a BigInt64Array).
 */
export type StateDictSource = Record<string, Tensor | { shape: readonly number[]; data: ArrayLike<number> | ArrayLike<bigint> }>;

/** What loadPretrained did with the file's head. */
export interface PretrainedReport {
  /** 'loaded' when the file's head fits the model's; 'kept' when it did not (or had none): the model's own head stays. */
  head: 'loaded' | 'kept';
}

const isTensor = (v: StateDictSource[string]): v is Tensor => 'toArray' in v;

/** {shape, data} with numbers (int64 buffers converted), or the tensor as it is. */
function asNumbers(v: StateDictSource[string]): Tensor | { shape: readonly number[]; data: ArrayLike<number> } {
  if (isTensor(v) || v.data.length === 0 || typeof v.data[0] === 'number') return v as Tensor | { shape: readonly number[]; data: ArrayLike<number> };
  return { shape: v.shape, data: Float64Array.from(v.data as ArrayLike<bigint>, Number) };
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/** The first few names, and how many more. */
function listed(names: string[]): string {
  const shown = names.slice(0, 5).join(', ');
  return names.length > 5 ? `${shown} (and ${names.length - 5} more)` : shown;
}

/**
 * Loads pretrained weights into `model`: every tensor outside `headPrefix` must be in `source`
 * with its shape (else one ArgumentError listing the missing and unexpected names, or a
 * ShapeError naming the tensor; BatchNorm's num_batches_tracked may be absent, as PyTorch
 * allows); the head is loaded only when all of it is there and fits. Nothing is copied unless
 * all of it fits.
 */
export function loadPretrained(model: Module, source: StateDictSource, headPrefix: string, what = 'loadPretrained'): PretrainedReport {
  const own = model.stateDict();
  const isHead = (name: string) => name.startsWith(headPrefix);
  const optional = (name: string) => isHead(name) || name.endsWith('.num_batches_tracked');
  const missing = Object.keys(own).filter((k) => !optional(k) && !Object.hasOwn(source, k));
  const unexpected = Object.keys(source).filter((k) => !Object.hasOwn(own, k) && !isHead(k));
  if (missing.length > 0 || unexpected.length > 0) {
    const parts = [];
    if (missing.length > 0) parts.push(`missing ${listed(missing)}`);
    if (unexpected.length > 0) parts.push(`unexpected ${listed(unexpected)}`);
    throw new ArgumentError(`${what}: the weights do not fit the model's features: ${parts.join('; ')}`);
  }
  const headNames = Object.keys(own).filter(isHead);
  const headFits = headNames.length > 0 && headNames.every((k) => Object.hasOwn(source, k) && sameShape(source[k]!.shape, own[k]!.shape));
  const chosen: Record<string, Tensor | { shape: readonly number[]; data: ArrayLike<number> }> = {};
  for (const [name, value] of Object.entries(source)) {
    if (!isHead(name) || (headFits && Object.hasOwn(own, name))) chosen[name] = asNumbers(value);
  }
  // Completeness was checked above; loadStateDict checks every shape before it copies anything.
  model.loadStateDict(chosen, { strict: false });
  return { head: headFits ? 'loaded' : 'kept' };
}

/** The source without the head's tensors: a features-only file, so that a run starts with a fresh head. */
export function withoutHead<T>(source: Record<string, T>, headPrefix: string): Record<string, T> {
  return Object.fromEntries(Object.entries(source).filter(([name]) => !name.startsWith(headPrefix)));
}

/** Stops every parameter outside `headPrefix` from training (requiresGrad off, grads dropped). */
export function freezeAllBut(model: Module, headPrefix: string): void {
  for (const [name, p] of model.namedParameters()) {
    if (name.startsWith(headPrefix)) continue;
    p.requiresGrad_(false);
    p.grad = null;
  }
}
