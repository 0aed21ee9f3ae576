/**
 * Fuzzing the safetensors reader with seeded mutations of real files (test/support/weight-fuzz.mjs):
 * header fields that lie (huge shapes and offsets, wrong dtypes, a header length past the end),
 * bit flips, truncations, inserted and moved bytes. Every input decodes or throws
 * WeightsFormatError; nothing else, and no decoded file takes more than the input justifies.
 * scripts/fuzz-weights.mjs runs the same cases for far longer against the built dist.
 */

import { expect, it } from 'vitest';

import { decodeSafetensors } from '../../src/io/safetensors.js';
import { decodeWeights } from '../../src/io/weights.js';
import { fuzz } from '../support/fuzz-run.js';
import { fixtureBytes } from '../support/weight-fixtures.js';
import { makeSafetensorsCase } from '../support/weight-fuzz.mjs';

const corpus = ['dtypes.safetensors', 'views.safetensors', 'module.safetensors'].map(fixtureBytes);

it('safetensors: 4000 mutated files decode or throw WeightsFormatError', () => {
  const counts = fuzz('safetensors', { seed: 20261207, stream: 0, iterations: 4000 }, (rng) => makeSafetensorsCase(corpus, rng), (b) =>
    decodeSafetensors(b, 'fuzz.safetensors', { halfToFloat32: true }),
  );
  // the mutations reach past the first checks: some inputs still decode, most are refused
  expect(counts.rejected).toBeGreaterThan(2000);
  expect(counts.accepted).toBeGreaterThan(50);
});

it('decodeWeights on the same inputs: the format dispatch adds no other failure', () => {
  const counts = fuzz('decodeWeights', { seed: 20261207, stream: 1, iterations: 1500 }, (rng) => makeSafetensorsCase(corpus, rng), (b) =>
    decodeWeights(b, { source: 'fuzz' }),
  );
  expect(counts.rejected + counts.accepted).toBe(1500);
});
