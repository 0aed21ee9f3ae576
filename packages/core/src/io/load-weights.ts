/**
 * Reading weight files on Node: loadWeights (any format dlp reads) and loadPth (PyTorch's
 * `.pth`/`.pt`), with zlib to inflate archives that were re-zipped with compression.
 *
 * @example
 * import { io, models } from '@dlp/core';
 * const model = new models.ConvNet();
 * model.loadStateDict((await io.loadWeights('convnet.pth')).tensors);
 */

import { isLegacyPth, decodeLegacyPth } from './pth/legacy.js';
import { decodePth, type PthFile } from './pth/pth.js';
import type { InflateRaw } from './pth/zip.js';
import { readWeightFile } from './read-weight-file.js';
import { decodeWeights, type DecodeWeightsOptions, type WeightsFile } from './weights.js';

export type LoadWeightsOptions = Pick<DecodeWeightsOptions, 'halfToFloat32'>;

/** zlib's raw inflate, stopped at the declared size so a lying header cannot make it allocate more. */
export function nodeInflateRaw(): InflateRaw {
  const zlib = process.getBuiltinModule('node:zlib');
  return (data, size) => new Uint8Array(zlib.inflateRawSync(data, { maxOutputLength: Math.max(1, size) }));
}

/**
 * Reads a safetensors file or a PyTorch checkpoint (`.pth`/`.pt`, zip or legacy), telling them
 * apart by their first bytes. F16/BF16 tensors become F32 unless `halfToFloat32: false`.
 *
 * @throws DataError when the file is missing, a directory or unreadable; WeightsFormatError
 *   (a DataError) when it is malformed or refused.
 */
export async function loadWeights(path: string, options: LoadWeightsOptions = {}): Promise<WeightsFile> {
  const bytes = await readWeightFile(path, 'loadWeights');
  return decodeWeights(bytes, { ...options, source: path, inflateRaw: nodeInflateRaw() });
}

/**
 * Reads a PyTorch checkpoint as torch.save writes it (a zip archive, or the legacy format).
 * F16/BF16 tensors keep their bits unless `halfToFloat32: true`, as decodePth.
 */
export async function loadPth(path: string, options: LoadWeightsOptions = {}): Promise<PthFile> {
  const bytes = await readWeightFile(path, 'loadPth');
  const decode = { source: path, halfToFloat32: options.halfToFloat32 === true, inflateRaw: nodeInflateRaw() };
  return isLegacyPth(bytes) ? decodeLegacyPth(bytes, decode) : decodePth(bytes, decode);
}
