// Resumed runs on the native backend: stopped after an evaluation, with an evaluation due,
// between evaluations, or crashed, then resumed — the same losses step for step, evaluations,
// metrics.jsonl and model.safetensors, bit for bit, as the uninterrupted run. The tiny setup
// carries BatchNorm buffers, Adam moments and a Dropout generator; setup 1 is a preset as is.
import { describe, it } from 'vitest';
import { expectResumeIdentical } from './resume-support.js';

describe('runExperiment resume on native', () => {
  it('tiny setup (BatchNorm, Dropout, Adam, chunked evaluation): every way of stopping', async () => {
    await expectResumeIdentical({ setup: 'tiny-resume', backend: 'native', steps: 30 }, [
      { at: 'eval', step: 8 },
      { at: 'step', step: 15 },
      { at: 'step', step: 12 },
      { at: 'crash', step: 19 },
    ]);
  });

  it('setup 1 (SGD), stopped after an evaluation', async () => {
    await expectResumeIdentical({ setup: '1', backend: 'native', steps: 24, evalFreq: 5, batchSize: 4 }, [{ at: 'eval', step: 11 }]);
  });
});
