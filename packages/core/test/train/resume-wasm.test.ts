// Resumed runs on the wasm backend (tensors inside wasm memory): stopped after an evaluation,
// with an evaluation due, between evaluations, or crashed, then resumed — the same losses step
// for step, evaluations, metrics.jsonl and model.safetensors, bit for bit, as the uninterrupted run.
import { describe, it } from 'vitest';
import { expectResumeIdentical } from './resume-support.js';

describe('runExperiment resume on wasm', () => {
  it('tiny setup (BatchNorm, Dropout, Adam, chunked evaluation): every way of stopping', async () => {
    await expectResumeIdentical({ setup: 'tiny-resume', backend: 'wasm', steps: 30 }, [
      { at: 'eval', step: 8 },
      { at: 'step', step: 15 },
      { at: 'step', step: 12 },
      { at: 'crash', step: 19 },
    ]);
  });
});
