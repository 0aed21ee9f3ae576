/**
 * One entry for every weight file dlp reads: safetensors, PyTorch's zip checkpoints
 * (torch.save since 1.6) and its legacy format, told apart by their first bytes. The tensors
 * come back in one form (../weight-dtypes.ts) whatever the format, ready for
 * `module.loadStateDict`. Pure (browser-safe); ./load-weights.ts reads files on Node.
 *
 * @example
 * const { tensors } = decodeWeights(bytes, { source: 'resnet.pth' });
 * model.loadStateDict(tensors);
 */

import { WeightsFormatError } from '../errors.js';
import { isLegacyPth, decodeLegacyPth } from './pth/legacy.js';
import { decodePth } from './pth/pth.js';
import { isZip, type InflateRaw } from './pth/zip.js';
import { decodeSafetensors } from './safetensors.js';
import type { WeightTensors } from './weight-dtypes.js';

export type WeightsFormat = 'safetensors' | 'pth' | 'pth-legacy';

export interface WeightsFile {
  format: WeightsFormat;
  /** The tensors by name, in the file's order. */
  tensors: WeightTensors;
  /** safetensors' `__metadata__`; `{}` for PyTorch files. */
  metadata: Record<string, string>;
}

export interface DecodeWeightsOptions {
  /** Names the file in error messages. */
  source?: string;
  /** F16 and BF16 tensors become F32 (exactly); default true, as a model's parameters are float32 or float64. */
  halfToFloat32?: boolean;
  /** Inflates deflated zip entries (given on Node by loadWeights). */
  inflateRaw?: InflateRaw;
}

/** What a file's first bytes say it is, or undefined when they match no format dlp reads. */
export function detectWeightsFormat(bytes: Uint8Array): WeightsFormat | undefined {
  if (isZip(bytes)) return 'pth';
  if (isLegacyPth(bytes)) return 'pth-legacy';
  // safetensors: an 8-byte header length, then the JSON header's '{'
  if (bytes.byteLength >= 9 && bytes[8] === 0x7b) return 'safetensors';
  return undefined;
}

/**
 * Decodes a weight file of any format dlp reads.
 *
 * @throws WeightsFormatError naming the file and what is wrong when it is malformed, is no
 *   weight file, or asks for something refused (code to run in a pickle).
 */
export function decodeWeights(bytes: Uint8Array, options: DecodeWeightsOptions = {}): WeightsFile {
  const source = options.source ?? 'weight file';
  const halfToFloat32 = options.halfToFloat32 ?? true;
  const format = detectWeightsFormat(bytes);
  switch (format) {
    case 'pth':
      return { format, ...decodePth(bytes, { source, halfToFloat32, ...(options.inflateRaw ? { inflateRaw: options.inflateRaw } : {}) }) };
    case 'pth-legacy':
      return { format, ...decodeLegacyPth(bytes, { source, halfToFloat32 }) };
    case 'safetensors':
      return { format, ...decodeSafetensors(bytes, source, { halfToFloat32 }) };
    default:
      throw new WeightsFormatError(
        `${source}: not a weight file dlp reads (safetensors, a torch.save zip archive starting with PK\\x03\\x04, or torch's legacy format)`,
      );
  }
}
