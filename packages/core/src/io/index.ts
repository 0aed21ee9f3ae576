/**
 * Run output: atomic file writes, JSON Lines metrics, safetensors weights and the run folder.
 * encode/decodeSafetensors are pure (browser-safe); the rest needs Node and says so when not on it.
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
} from './safetensors.js';
export { createRunDir, defaultRunDirName, runTimestamp, RUN_FILES, type RunDir } from './run-dir.js';
