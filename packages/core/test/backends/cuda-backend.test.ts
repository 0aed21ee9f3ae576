/**
 * The cuda backend's availability: on a machine without CUDA, or with an addon built without
 * it, asking for it names why and `auto` passes over it without a word; where the driver is
 * there but something else is missing, the reason is reported; where CUDA works, there is no
 * reason and the backend opens the GPU. (The CUDA kernels' own tests are in crates/cuda; the
 * backend's TypeScript half runs on a CPU stand-in for the device in cuda-backend-glue.test.ts.)
 */

import { describe, expect, it } from 'vitest';
import { BackendUnavailableError, getBackend, onBackendFallback } from '../../src/index.js';
import { cudaUnavailable } from '../../src/backends/cuda/availability.js';
import { loadNativeAddon } from '../../src/backends/native/binding.js';

const lines: string[] = [];
onBackendFallback((line) => lines.push(line));

describe('the cuda backend here', () => {
  it('is unavailable with the addon’s reason, and auto picks native without a word', () => {
    const cuda = loadNativeAddon().cudaAvailability();
    let thrown: unknown;
    try {
      getBackend('cuda');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(BackendUnavailableError);
    expect((thrown as Error).message).toBe(cudaUnavailable(cuda)?.message);
    // This project's test machines have no NVIDIA driver, and `pnpm build` leaves CUDA out.
    expect((thrown as BackendUnavailableError).notSetUp).toBe(true);
    expect(getBackend('auto').name).toBe('native');
    expect(lines).toEqual([]);
  });
});

describe('what each answer of the addon means', () => {
  const answer = (reason: string | undefined, built: boolean, noDriver: boolean, devices = 0) => cudaUnavailable({ reason, built, noDriver, devices });
  const reason = (reason: string, built: boolean, noDriver: boolean) => {
    const error = answer(reason, built, noDriver);
    if (!error) throw new Error('expected a reason');
    return error;
  };

  it('an addon built without CUDA, or a machine without the driver: not set up, passed over silently', () => {
    const noFeature = reason('this build of the native addon has no CUDA support (built without the `cuda` feature)', false, false);
    expect(noFeature.message).toBe(
      'cuda backend unavailable: this build of the native addon has no CUDA support (built without the `cuda` feature)',
    );
    expect(noFeature.notSetUp).toBe(true);
    expect(reason("no CUDA driver: libcuda.so (the NVIDIA driver's library) was not found", true, true).notSetUp).toBe(true);
  });

  it('a driver without a device or a library: reported', () => {
    const noDevice = reason('no CUDA device: the driver found no GPU', true, false);
    expect(noDevice.message).toBe('cuda backend unavailable: no CUDA device: the driver found no GPU');
    expect(noDevice.notSetUp).toBe(false);
  });

  it('CUDA working: no reason, so the backend opens the GPU', () => {
    expect(answer(undefined, true, false, 1)).toBeUndefined();
  });
});
