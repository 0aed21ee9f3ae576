/**
 * Fuzzing the PyTorch reader, layer by layer, with seeded mutations of real torch.save files
 * (test/support/weight-fuzz.mjs): zip records whose sizes, offsets and counts lie; pickles
 * edited opcode-wise inside archives re-zipped with correct CRCs (lengths and integers set huge,
 * opcodes swapped, dropped, repeated, moved, globals renamed); storages of the wrong size,
 * missing, duplicated or shuffled; and the legacy format. Every input decodes or throws
 * WeightsFormatError. scripts/fuzz-weights.mjs runs the same cases far longer against dist.
 */

import { expect, it } from 'vitest';

import { nodeInflateRaw } from '../../src/io/load-weights.js';
import { decodeLegacyPth } from '../../src/io/pth/legacy.js';
import { decodePth } from '../../src/io/pth/pth.js';
import { fuzz } from '../support/fuzz-run.js';
import { fixtureBytes } from '../support/weight-fixtures.js';
import { makeLegacyCase, makePickleCase, makeStorageCase, makeZipCase, readZip } from '../support/weight-fuzz.mjs';

const zips = ['dtypes.pth', 'views.pth', 'module.pth', 'checkpoint.pth', 'module-deflate.pth'].map(fixtureBytes);
const archives = zips.slice(0, 4).map(readZip);
const legacy = [fixtureBytes('module-legacy.pth')];
const inflateRaw = nodeInflateRaw();
const decode = (b: Uint8Array) => decodePth(b, { source: 'fuzz.pth', halfToFloat32: true, inflateRaw });
const seed = 20261207;

it('zip layer: 2500 archives with lying records decode or throw WeightsFormatError', () => {
  const counts = fuzz('zip', { seed, stream: 2, iterations: 2500 }, (rng) => makeZipCase(zips, rng), decode);
  expect(counts.rejected).toBeGreaterThan(1000);
  expect(counts.accepted).toBeGreaterThan(20); // fields the reader ignores (local sizes under a data descriptor)
});

it('pickle layer: 2500 mutated data.pkl decode or throw WeightsFormatError', () => {
  const counts = fuzz('pickle', { seed, stream: 3, iterations: 2500 }, (rng) => makePickleCase(archives, rng), decode);
  expect(counts.rejected).toBeGreaterThan(1000);
  expect(counts.accepted).toBeGreaterThan(20);
});

it('storages: 1500 archives with wrong, missing, duplicated or shuffled storages decode or throw WeightsFormatError', () => {
  const counts = fuzz('storages', { seed, stream: 4, iterations: 1500 }, (rng) => makeStorageCase(archives, rng), decode);
  expect(counts.rejected).toBeGreaterThan(500);
  expect(counts.accepted).toBeGreaterThan(100); // longer storages and reordered entries are fine
});

it('legacy format: 2000 mutated files decode or throw WeightsFormatError', () => {
  const counts = fuzz('legacy', { seed, stream: 5, iterations: 2000 }, (rng) => makeLegacyCase(legacy, rng), (b) =>
    decodeLegacyPth(b, { source: 'fuzz.pth', halfToFloat32: true }),
  );
  expect(counts.rejected).toBeGreaterThan(1000);
  expect(counts.accepted).toBeGreaterThan(10);
});
