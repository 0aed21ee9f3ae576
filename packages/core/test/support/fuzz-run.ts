/**
 * Runs a seeded batch of mutated inputs through a reader for the vitest fuzz tests: every input
 * must decode or throw WeightsFormatError; anything else fails the test naming the seed that
 * reproduces it (makeRng(seed) into the same make*Case).
 */

import { expect } from 'vitest';

import { WeightsFormatError } from '../../src/errors.js';
import { caseSeed, checkOutcome, makeRng, type Rng } from './weight-fuzz.mjs';

export interface FuzzCounts {
  accepted: number;
  rejected: number;
}

export function fuzz(
  label: string,
  options: { seed: number; stream: number; iterations: number },
  makeCase: (rng: Rng) => Uint8Array,
  decode: (bytes: Uint8Array) => { tensors: Record<string, { shape: number[]; data: ArrayLike<unknown> & { byteLength: number } }> },
): FuzzCounts {
  const counts: FuzzCounts = { accepted: 0, rejected: 0 };
  for (let i = 0; i < options.iterations; i++) {
    const seed = caseSeed(options.seed, options.stream, i);
    const input = makeCase(makeRng(seed));
    let outcome;
    try {
      outcome = checkOutcome(decode, input, WeightsFormatError);
    } catch (error) {
      expect.fail(`${label}: input ${i} (case seed ${seed}) threw ${(error as Error)?.stack ?? String(error)}`);
    }
    counts[outcome]++;
  }
  return counts;
}
