/**
 * torchvision DenseNet weights into models.DenseNet: the old checkpoints' key names mapped to
 * today's (`remapLegacyDenseNetKeys`), and a loader for transfer learning that takes every
 * feature tensor and keeps a head of another size (`loadDenseNetWeights`).
 */

import { ArgumentError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import type { DenseNet } from './densenet.js';

/**
 * A state dict as read from a file or taken from a model: tensors, or {shape, data} with the data
 * in any typed array (an int64 `num_batches_tracked` arrives as a BigInt64Array).
 */
export type StateDictSource = Record<string, Tensor | { shape: readonly number[]; data: ArrayLike<number> | ArrayLike<bigint> }>;

/** torchvision's `_load_state_dict` pattern: `…denselayerN.norm.1.weight` in checkpoints saved before 0.3. */
const LEGACY_KEY = /^(.*denselayer\d+\.(?:norm|relu|conv))\.((?:[12])\.(?:weight|bias|running_mean|running_var))$/;

/**
 * The state dict with torchvision's old dense-layer names (`norm.1`, `relu.1`, `conv.1`, `norm.2`,
 * … `.weight`) renamed to today's (`norm1`, `conv1`, …), as torchvision does when it loads its
 * ImageNet checkpoints; other keys and the order are kept.
 *
 * @example
 * remapLegacyDenseNetKeys({ 'features.denseblock1.denselayer1.norm.1.weight': w })
 * // → { 'features.denseblock1.denselayer1.norm1.weight': w }
 */
export function remapLegacyDenseNetKeys<T>(state: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [key, value] of Object.entries(state)) {
    const m = LEGACY_KEY.exec(key);
    const name = m ? m[1]! + m[2]! : key;
    if (Object.hasOwn(out, name)) throw new ArgumentError(`remapLegacyDenseNetKeys: '${key}' and another key both name '${name}'`);
    out[name] = value;
  }
  return out;
}

/** What `loadDenseNetWeights` did with the file's classifier. */
export interface DenseNetWeightsReport {
  /** 'loaded' when the file's head fits the model's; 'kept' when it did not (or had none): the model's own head stays. */
  classifier: 'loaded' | 'kept';
}

const isTensor = (v: StateDictSource[string]): v is Tensor => 'toArray' in v;

/** {shape, data} with numbers (int64 buffers converted), or the tensor as it is. */
function asNumbers(v: StateDictSource[string]): Tensor | { shape: readonly number[]; data: ArrayLike<number> } {
  if (isTensor(v) || v.data.length === 0 || typeof v.data[0] === 'number') return v as Tensor | { shape: readonly number[]; data: ArrayLike<number> };
  return { shape: v.shape, data: Float64Array.from(v.data as ArrayLike<bigint>, Number) };
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Loads torchvision-named DenseNet weights (old names remapped) for transfer learning: every
 * tensor of `features` must be in the file with its shape (else one error listing the missing
 * names, or a ShapeError naming the tensor; BatchNorm's num_batches_tracked may be absent, as
 * PyTorch allows), nothing else may be there but `classifier.*`, and
 * the file's classifier is loaded only when its shape fits the model's head, so an ImageNet
 * checkpoint (1000 classes) leaves a fresh 10-class head in place. Nothing is copied unless all
 * of it fits.
 *
 * @example
 * const model = models.densenet121({ numClasses: 10 });
 * models.loadDenseNetWeights(model, (await io.loadSafetensors('densenet121.safetensors')).tensors);
 */
export function loadDenseNetWeights(model: DenseNet, source: StateDictSource): DenseNetWeightsReport {
  const state = remapLegacyDenseNetKeys(source);
  const own = model.stateDict();
  const isHead = (name: string) => name.startsWith('classifier.');
  // BatchNorm's step counter is optional, as in PyTorch (checkpoints older than it lack it).
  const optional = (name: string) => isHead(name) || name.endsWith('.num_batches_tracked');
  const missing = Object.keys(own).filter((k) => !optional(k) && !(k in state));
  const unexpected = Object.keys(state).filter((k) => !(k in own) && !isHead(k));
  if (missing.length > 0 || unexpected.length > 0) {
    const parts = [];
    if (missing.length > 0) parts.push(`missing ${listed(missing)}`);
    if (unexpected.length > 0) parts.push(`unexpected ${listed(unexpected)}`);
    throw new ArgumentError(`loadDenseNetWeights: the weights do not fit the model's features: ${parts.join('; ')}`);
  }
  const headNames = Object.keys(own).filter(isHead);
  const headFits = headNames.every((k) => k in state && sameShape(state[k]!.shape, own[k]!.shape));
  const chosen: Record<string, Tensor | { shape: readonly number[]; data: ArrayLike<number> }> = {};
  for (const [name, value] of Object.entries(state)) {
    if (!isHead(name) || (headFits && name in own)) chosen[name] = asNumbers(value);
  }
  // Completeness was checked above; loadStateDict checks every shape before it copies anything.
  model.loadStateDict(chosen, { strict: false });
  return { classifier: headFits ? 'loaded' : 'kept' };
}

/** The first few names, and how many more. */
function listed(names: string[]): string {
  const shown = names.slice(0, 5).join(', ');
  return names.length > 5 ? `${shown} (and ${names.length - 5} more)` : shown;
}
