/**
 * Whether the cuda backend can load here, asked of the native addon (its `cuda` feature links
 * crates/cuda, which finds the driver, cuBLAS and NVRTC at run time). Every "no" is a
 * BackendUnavailableError naming what is missing; the ones that simply mean "no CUDA on this
 * machine" (no NVIDIA driver, an addon built without CUDA) are marked `notSetUp`, so that
 * `auto` passes over them silently.
 *
 * Where CUDA does work, the backend still does not load: its device-resident tensors are not
 * built yet (docs/cuda.md). That is said in as many words, not hidden.
 */

import { BackendUnavailableError } from '../../errors.js';
import type { Backend } from '../backend.js';
import { loadNativeAddon, type NativeAddon } from '../native/binding.js';

const PREFIX = 'cuda backend unavailable';

export function createCudaBackend(): Backend {
  let addon;
  try {
    addon = loadNativeAddon();
  } catch (error) {
    if (!(error instanceof BackendUnavailableError)) throw error;
    // No addon at all: the native backend's own message says why; CUDA comes through it.
    throw new BackendUnavailableError(`${PREFIX}: it runs through the native addon, which did not load (${error.message})`, { notSetUp: true });
  }
  throw cudaUnavailable(addon.cudaAvailability());
}

/** What the addon's answer means for the backend (see the module docs). */
export function cudaUnavailable(cuda: CudaAvailability): BackendUnavailableError {
  if (cuda.reason !== undefined && cuda.reason !== null) {
    return new BackendUnavailableError(`${PREFIX}: ${cuda.reason}`, { notSetUp: !cuda.built || cuda.noDriver });
  }
  return new BackendUnavailableError(
    `${PREFIX}: CUDA works here (${cuda.devices} device${cuda.devices === 1 ? '' : 's'}), but @dlp/core's cuda backend ` +
      '(tensors kept on the GPU) is not built yet; see docs/cuda.md. Use --backend native meanwhile',
  );
}

/** The native addon's `cudaAvailability()` answer. */
export type CudaAvailability = ReturnType<NativeAddon['cudaAvailability']>;
