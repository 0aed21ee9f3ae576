/**
 * The form's text fields turned into RunSettings, with the CLI's rules (run.ts'
 * resolveHyperparameters): steps, batch size and evaluation frequency positive integers, the
 * learning rate a positive number. Messages name the field as the page labels it.
 */

import type { RunSettings } from './protocol.js';

export interface SettingsInput {
  setup: string;
  steps: string;
  batchSize: string;
  lr: string;
  evalFreq: string;
}

export type SettingsResult = { ok: true; settings: RunSettings } | { ok: false; field: keyof SettingsInput; message: string };

/** Whole decimal digits only: Number() would also take '1e3', '0x10' and ' 5 '. */
function positiveInteger(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

function positiveNumber(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

/** Checks the fields in the order the page shows them; the first bad one is reported. */
export function parseSettings(input: SettingsInput, setupNames: readonly string[]): SettingsResult {
  if (!setupNames.includes(input.setup)) {
    return { ok: false, field: 'setup', message: `unknown setup '${input.setup}': expected one of ${setupNames.join(', ')}` };
  }
  const steps = positiveInteger(input.steps);
  if (steps === undefined) return { ok: false, field: 'steps', message: `Steps must be a positive integer, got '${input.steps}'` };
  const batchSize = positiveInteger(input.batchSize);
  if (batchSize === undefined) return { ok: false, field: 'batchSize', message: `Batch size must be a positive integer, got '${input.batchSize}'` };
  const lr = positiveNumber(input.lr);
  if (lr === undefined) return { ok: false, field: 'lr', message: `Learning rate must be a number above 0, got '${input.lr}'` };
  const evalFreq = positiveInteger(input.evalFreq);
  if (evalFreq === undefined) return { ok: false, field: 'evalFreq', message: `Evaluate every must be a positive integer (steps), got '${input.evalFreq}'` };
  return { ok: true, settings: { setup: input.setup, steps, batchSize, lr, evalFreq } };
}
