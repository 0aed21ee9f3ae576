/**
 * Checks of the arguments layers are built with, so that a wrong one (null, a string, a bad
 * number) fails in the constructor with an ArgumentError naming the layer and the argument,
 * rather than as a TypeError inside some helper at the first forward.
 */

import { ArgumentError } from '../errors.js';
import { pair, type Pair } from '../ops/conv.js';

/** A value as a message shows it: null, undefined, 'text', [1,2], 3. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number' || value === null || value === undefined) return String(value);
  try {
    return JSON.stringify(value) ?? typeof value;
  } catch {
    return typeof value;
  }
}

/** The options object (undefined: none); anything else but a plain object is refused. */
export function optionsOf<T extends object>(layer: string, options: T | undefined): T {
  if (options === undefined) return {} as T;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ArgumentError(`${layer}: options must be an object, got ${describeValue(options)}`);
  }
  return options;
}

/** A finite number (an ELU's alpha). */
export function finiteNumber(layer: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ArgumentError(`${layer}: ${name} must be a finite number, got ${describeValue(value)}`);
  }
  return value;
}

/** A finite number > 0 (eps). */
export function positiveNumber(layer: string, name: string, value: unknown): number {
  if (finiteNumber(layer, name, value) <= 0) throw new ArgumentError(`${layer}: ${name} must be > 0, got ${describeValue(value)}`);
  return value as number;
}

/** A kernel size, stride or padding given as one integer ≥ min or [height, width] (checked as the ops check it). */
export function checkPair(layer: string, name: string, value: unknown, min: number): void {
  pair(layer, name, value as Pair, min);
}
