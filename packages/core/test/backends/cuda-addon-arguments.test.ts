/**
 * The cuda addon's generated argument types accept what CudaBackend passes: every kernel call
 * a training step, an evaluation and a prediction of every setup make goes first to the real
 * addon's `cuda.<name>`, which converts the arguments (napi) and then refuses for want of an
 * open device, and then to the CPU stand-in, which computes. Needs an addon built with the cuda
 * feature (DLP_FEATURES=cuda, as scripts/gpu-prepare.sh builds it); the default addon has none,
 * and the test is skipped, not passed.
 */

import { describe, expect, it } from 'vitest';
import { Rng, train } from '../../src/index.js';
import { CudaBackend } from '../../src/backends/cuda/cuda-backend.js';
import { loadNativeAddon } from '../../src/backends/native/binding.js';
import { cpuStandIn } from './cuda-cpu-stand-in.js';

const addon = loadNativeAddon() as unknown as { cuda?: Record<string, (args: unknown) => unknown> };

describe.skipIf(addon.cuda === undefined)('the cuda addon’s argument types (needs DLP_FEATURES=cuda)', () => {
  it('accept every call of every setup’s step, evaluation and prediction', () => {
    const real = addon.cuda!;
    const standIn = cpuStandIn();
    const refusals = new Map<string, string>();
    const cuda: Record<string, (args: Record<string, unknown>) => unknown> = {};
    for (const [name, compute] of Object.entries(standIn.cuda)) {
      cuda[name] = (args) => {
        try {
          real[name]!(args);
          refusals.set(name, 'ran without a device');
        } catch (error) {
          refusals.set(name, (error as Error).message);
        }
        return compute(args);
      };
    }
    const backend = new CudaBackend({ ...standIn, cuda });
    for (const name of train.setupNames().filter((n) => n !== 'densenet121')) {
      const preset = train.getSetup(name);
      const trainer = preset.build({ backend, rng: new Rng(42), lr: preset.defaults.lr });
      const rows = name === 'convnet' ? 4 : 16;
      const rng = new Rng(1);
      const pixels = Uint8Array.from({ length: rows * 3072 }, () => rng.nextInt(256));
      const mean = new Float32Array(3072).fill(120);
      const split = { pixels } as unknown as Parameters<typeof train.imageBatch>[0];
      const batch = train.imageBatch(split, mean, Uint32Array.from({ length: rows }, (_, i) => i), Uint8Array.from({ length: rows }, (_, i) => i % 10));
      trainer.trainStep(batch);
      trainer.evaluate(batch);
      trainer.predict(batch);
    }
    expect(refusals.size).toBeGreaterThan(20);
    for (const [name, message] of refusals) expect(`${name}: ${message}`).toBe(`${name}: cuda: the device is not open (cudaOpen first)`);
  });
});
