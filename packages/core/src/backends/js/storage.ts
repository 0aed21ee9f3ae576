/**
 * A js storage and its typed array, shared by every concern's kernels: the JsStorage type, `arr`
 * (a storage's array), `onArrays` (the arguments on arrays) and `registerOnArrays` (check, then loop).
 */

import type { TypedArray } from '../../dtype.js';
import { registerKernel, type KernelName, type KernelSignatures } from '../../kernels/registry.js';
import type { WithBuffers } from '../../kernels/with-buffers.js';
import type { Storage } from '../backend.js';
import { assertLive } from '../memory-errors.js';

/** On the js backend a storage is simply its typed array. */
export interface JsStorage extends Storage {
  readonly array: TypedArray;
  /** Set by release(): the tensor was disposed, and kernels refuse it (as native and wasm do). */
  released?: boolean;
}

/** A kernel's arguments with every storage replaced by its typed array. */
export type OnArrays<A> = WithBuffers<A, TypedArray>;

/** A storage's typed array; undefined for an optional storage not given. */
export function arr(s: Storage): TypedArray;
export function arr(s: Storage | undefined): TypedArray | undefined;
export function arr(s: Storage | undefined): TypedArray | undefined {
  if (s) assertLive(s as JsStorage);
  return s && (s as JsStorage).array;
}

/** The args with every storage swapped for its typed array (numbers and flags kept). */
export function onArrays<A extends object>(args: A): OnArrays<A> {
  const entries = Object.entries(args).map(([k, v]) => [k, isStorage(v) ? arr(v) : v]);
  return Object.fromEntries(entries) as OnArrays<A>;
}

function isStorage(value: unknown): value is JsStorage {
  return typeof value === 'object' && value !== null && 'array' in value;
}

/** A kernel's arguments, as its signature takes them. */
type ArgsOf<K extends KernelName> = Parameters<KernelSignatures[K]>[1];

/** Registers the js kernel `name`: `check` its arguments, then run `loop` on their typed arrays. */
export function registerOnArrays<K extends KernelName>(
  name: K,
  check: (args: ArgsOf<K>) => void,
  loop: (args: OnArrays<ArgsOf<K>>) => void,
): void {
  const impl = (_backend: unknown, args: ArgsOf<K>): void => {
    check(args);
    loop(onArrays(args));
  };
  registerKernel(name, 'js', impl as KernelSignatures[K]);
}
