/**
 * Run output and weight files: atomic file writes, JSON Lines metrics, the run folder, and the
 * weight readers (safetensors, PyTorch `.pth`/`.pt`). encode/decodeSafetensors, decodePth and
 * decodeWeights are pure (browser-safe); the rest needs Node and says so when not on it.
 */

export { writeFileAtomic, writeFileAtomicSync, JsonLinesWriter } from './atomic-write.js';
export {
  encodeSafetensors,
  decodeSafetensors,
  saveSafetensors,
  loadSafetensors,
  SAFETENSORS_DTYPES,
  type SafetensorsDType,
  type SafetensorsArrays,
  type SafetensorsTensor,
  type SafetensorsTensors,
  type SafetensorsFile,
  type DecodeSafetensorsOptions,
} from './safetensors.js';
export {
  WEIGHT_DTYPES,
  type WeightDType,
  type WeightArrays,
  type WeightTensor,
  type WeightTensors,
} from './weight-dtypes.js';
export { float16BitsToFloat32, bfloat16BitsToFloat32, halfToFloat32 } from './half.js';
export { decodePth, type DecodePthOptions, type PthFile } from './pth/pth.js';
export { decodeLegacyPth } from './pth/legacy.js';
export { decodeWeights, detectWeightsFormat, type DecodeWeightsOptions, type WeightsFile, type WeightsFormat } from './weights.js';
export { loadWeights, loadPth, nodeInflateRaw, type LoadWeightsOptions } from './load-weights.js';
export { checkRunDir, createRunDir, defaultRunDirName, runDirFiles, runTimestamp, RUN_FILES, type RunDir, type RunDirMode, type RunDirOptions } from './run-dir.js';
export { acquireRunLock, RUN_LOCK_FILE, type RunLock } from './run-lock.js';
