/**
 * Whether the cuda backend can load here, asked of the native addon (its `cuda` feature links
 * crates/cuda, which finds the driver, cuBLAS and NVRTC at run time). Every "no" is a
 * BackendUnavailableError naming what is missing; the ones that simply mean "no CUDA on this
 * machine" (no NVIDIA driver, an addon built without CUDA) are marked `notSetUp`, so that
 * `auto` passes over them silently.
 *
 * Where CUDA works, the backend opens device 0 (DLP_CUDA_DEVICE picks another); a device that
 * does not open is a BackendUnavailableError with the driver's reason.
 */

import { BackendUnavailableError } from '../../errors.js';
import type { Backend } from '../backend.js';
import { loadNativeAddon, type NativeAddon } from '../native/binding.js';
import { cudaFunctions } from './addon.js';
import { CudaBackend } from './cuda-backend.js';

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
  const unavailable = cudaUnavailable(addon.cudaAvailability());
  if (unavailable) throw unavailable;
  const functions = cudaFunctions(addon);
  if (!functions) throw new BackendUnavailableError(`${PREFIX}: the native addon says it has CUDA but exports none of its functions`);
  try {
    return new CudaBackend(functions, deviceOrdinal());
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new BackendUnavailableError(`${PREFIX}: the GPU did not open: ${reason}`);
  }
}

/** What the addon's answer means for the backend (see the module docs): undefined when CUDA works. */
export function cudaUnavailable(cuda: CudaAvailability): BackendUnavailableError | undefined {
  if (cuda.reason === undefined || cuda.reason === null) return undefined;
  return new BackendUnavailableError(`${PREFIX}: ${cuda.reason}`, { notSetUp: !cuda.built || cuda.noDriver });
}

/**
 * The GPU to open: env DLP_CUDA_DEVICE (an index); else, in a job mpirun started, this process's
 * rank on its machine (one GPU per process, as NCCL needs); else 0.
 */
function deviceOrdinal(): number {
  const env = globalThis.process?.env ?? {};
  const value = env.DLP_CUDA_DEVICE;
  const localRank = Number(env.OMPI_COMM_WORLD_LOCAL_RANK);
  if ((value === undefined || value === '') && Number.isInteger(localRank) && localRank >= 0) return localRank;
  if (value === undefined || value === '') return 0;
  const ordinal = Number(value);
  if (!Number.isInteger(ordinal) || ordinal < 0) {
    throw new BackendUnavailableError(`${PREFIX}: DLP_CUDA_DEVICE = '${value}' is not a device index (0, 1, …)`);
  }
  return ordinal;
}

/** The native addon's `cudaAvailability()` answer. */
export type CudaAvailability = ReturnType<NativeAddon['cudaAvailability']>;
