/**
 * torchvision DenseNet weights into models.DenseNet: the old checkpoints' key names mapped to
 * today's (`remapLegacyDenseNetKeys`), and a loader for transfer learning that takes every
 * feature tensor and keeps a head of another size (`loadDenseNetWeights`).
 */

import { ArgumentError } from '../errors.js';
import type { DenseNet } from './densenet.js';
import { loadPretrained, type StateDictSource } from './pretrained.js';

export type { StateDictSource };

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
  const report = loadPretrained(model, remapLegacyDenseNetKeys(source), 'classifier.', 'loadDenseNetWeights');
  return { classifier: report.head };
}
