// Resumed runs of the course's hand-written-backprop MLP (`--setup numpy`, ManualMlpTrainer):
// its checkpoint holds the weights alone (plain SGD keeps no state), the data order and the
// session; stopped after an evaluation or crashed, then resumed, it matches the uninterrupted run
// bit for bit, on native and wasm.
import { describe, it } from 'vitest';
import '../../src/manual/setup.js';
import { expectResumeIdentical } from './resume-support.js';

describe('runExperiment resume, numpy setup', () => {
  for (const backend of ['native', 'wasm'] as const) {
    it(`on ${backend}: stopped after an evaluation, and crashed between two`, async () => {
      await expectResumeIdentical({ setup: 'numpy', backend, steps: 24, evalFreq: 5, batchSize: 4 }, [
        { at: 'eval', step: 6 },
        { at: 'crash', step: 14 },
      ]);
    });
  }
});
