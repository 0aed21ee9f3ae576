/**
 * The weight files test/fixtures/make_weight_files.py wrote (test/fixtures/weights/) and the
 * values it recorded, with an exact comparison (-0 apart from 0, NaN equal to NaN, int64 as BigInt).
 */

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

import type { WeightDType, WeightTensor } from '../../src/io/weight-dtypes.js';

export const WEIGHTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'weights');

export interface ExpectedWeight {
  dtype: WeightDType;
  shape: number[];
  /** Floats as the repr of the equal float64 ('nan', 'inf', '-inf'); ints as decimal strings. */
  values: string[];
  /** float16/bfloat16 only: the raw bits. */
  bits?: string[];
}

export interface ExpectedWeightFiles {
  generator: string;
  files: Record<'dtypes' | 'views' | 'module' | 'checkpoint', Record<string, ExpectedWeight>>;
  module_metadata: Record<string, Record<string, number>>;
  module_io: { input: ExpectedWeight; output: ExpectedWeight };
}

export const expectedWeights = JSON.parse(
  readFileSync(join(WEIGHTS_DIR, '..', 'weight_files.expected.json'), 'utf8'),
) as ExpectedWeightFiles;

export function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(WEIGHTS_DIR, name)));
}

export function fixturePath(name: string): string {
  return join(WEIGHTS_DIR, name);
}

function parseFloat64(v: string): number {
  return v === 'nan' ? Number.NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : Number(v);
}

/**
 * Checks a decoded tensor against the recorded one: dtype, shape and every element exactly.
 * F16/BF16 are compared as bits, or, when the reader converted them (`converted`), as F32 values.
 */
export function expectWeight(got: WeightTensor | undefined, want: ExpectedWeight, name: string, converted = false): void {
  expect(got, name).toBeDefined();
  const half = want.dtype === 'F16' || want.dtype === 'BF16';
  expect(got!.dtype, name).toBe(half && converted ? 'F32' : want.dtype);
  expect(got!.shape, name).toEqual(want.shape);
  expect(got!.data.length, name).toBe(want.values.length);
  const data = got!.data;
  for (let i = 0; i < want.values.length; i++) {
    let wanted: number | bigint;
    if (half && !converted) wanted = Number(want.bits![i]);
    else if (want.dtype === 'I64') wanted = BigInt(want.values[i]!);
    else if (want.dtype.startsWith('F') || want.dtype === 'BF16') wanted = parseFloat64(want.values[i]!);
    else wanted = Number(want.values[i]);
    const value = data[i]!;
    if (typeof wanted === 'number' && Number.isNaN(wanted)) expect(Number.isNaN(value), `${name}[${i}]`).toBe(true);
    else expect(Object.is(value, wanted), `${name}[${i}]: got ${String(value)}, want ${String(wanted)}`).toBe(true);
  }
}
