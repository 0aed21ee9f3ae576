/**
 * PyTorch checkpoints as torch.save writes them since 1.6: a zip archive holding
 * `<name>/data.pkl` (the pickled object, tensors as persistent ids naming storages),
 * `<name>/data/<key>` (each storage's raw little-endian bytes), `<name>/version` and, since 2.x,
 * `<name>/byteorder`. Tensors come out in the same form as the safetensors reader's
 * (../weight-dtypes.ts). Pure: no Node API, so it can run in a browser (pass `inflateRaw` for
 * deflated archives; torch writes them stored).
 *
 * @example
 * const { tensors } = decodePth(bytes, { source: 'model.pth' });
 * model.loadStateDict(tensors);
 */

import { WeightsFormatError } from '../../errors.js';
import { HOST_IS_LITTLE_ENDIAN, WEIGHT_DTYPE_INFO, type WeightTensors } from '../weight-dtypes.js';
import { unpickle } from './pickle.js';
import { materializeTensors, namedTensorRefs } from './state-dict-tensors.js';
import { torchPickleHooks, type StorageRef } from './torch-pickle.js';
import { openZip, type InflateRaw } from './zip.js';

export interface DecodePthOptions {
  /** Names the file in error messages (default "PyTorch checkpoint"). */
  source?: string;
  /** Convert F16 and BF16 tensors to F32 (exactly) while decoding (default false: keep their bits). */
  halfToFloat32?: boolean;
  /** Inflates deflated entries (zlib on Node; torch.save never compresses, re-zipped files may). */
  inflateRaw?: InflateRaw;
}

export interface PthFile {
  /** The tensors by dotted name, in the pickle's order. */
  tensors: WeightTensors;
  /** Always `{}`: torch files carry no string metadata (kept for the same shape as safetensors). */
  metadata: Record<string, string>;
}

/** Tensors may take this many times the file's size (float16 doubles into float32; views of one storage overlap a little). */
export const PTH_OUTPUT_FACTOR = 4;

export function decodePth(bytes: Uint8Array, options: DecodePthOptions = {}): PthFile {
  const source = options.source ?? 'PyTorch checkpoint';
  const fail = (message: string): never => {
    throw new WeightsFormatError(`${source}: ${message}`);
  };
  if (!HOST_IS_LITTLE_ENDIAN) fail('this host is big-endian; dlp only reads little-endian data');
  const zip = openZip(bytes, source, options.inflateRaw);

  // The archive's folder name is the saved file's stem (or "archive"): find it from data.pkl.
  const pickles = [...zip.entries.keys()].filter((name) => /^[^/]+\/data\.pkl$/.test(name));
  if (pickles.length === 0) fail('zip archive has no <name>/data.pkl: not a torch.save checkpoint');
  if (pickles.length > 1) fail(`zip archive has ${pickles.length} data.pkl entries (${pickles.join(', ')})`);
  const prefix = pickles[0]!.slice(0, -'data.pkl'.length);

  const byteorder = zip.entries.get(`${prefix}byteorder`);
  if (byteorder) {
    const order = new TextDecoder().decode(zip.read(byteorder)).trim();
    if (order !== 'little') fail(`${prefix}byteorder says '${order.slice(0, 20)}': only little-endian checkpoints are read`);
  }

  const pklName = pickles[0]!;
  const pkl = zip.read(zip.entries.get(pklName)!);
  const where = `${source}: ${pklName}`;
  const { value } = unpickle(pkl, torchPickleHooks(), where);
  const named = namedTensorRefs(value, where, pkl.byteLength);

  const storageBytes = (storage: StorageRef): Uint8Array => {
    const name = `${prefix}data/${storage.key}`;
    const entry = zip.entries.get(name);
    if (!entry) return fail(`storage '${storage.key}' has no entry ${name}`);
    const needed = storage.numel * WEIGHT_DTYPE_INFO[storage.dtype].size;
    // sizes are checked before reading: the entry's declared size cannot exceed the archive's
    if (entry.size < needed) {
      fail(`entry ${name} holds ${entry.size} bytes, the storage needs ${needed} (${storage.numel} × ${storage.dtype})`);
    }
    return zip.read(entry);
  };
  const cache = new Map<StorageRef, Uint8Array>();
  const tensors = materializeTensors(named, {
    where: source,
    storageBytes: (storage) => {
      let data = cache.get(storage);
      if (!data) cache.set(storage, (data = storageBytes(storage)));
      return data;
    },
    budgetBytes: PTH_OUTPUT_FACTOR * bytes.byteLength + (1 << 20),
    halfToFloat32: options.halfToFloat32 === true,
  });
  return { tensors, metadata: {} };
}
