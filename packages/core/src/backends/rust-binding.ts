/**
 * The one registrar of both Rust backends (native through napi-rs, wasm through wasm-bindgen):
 * a kernel's arguments object goes, as it is, to the binding's function of the same name, with
 * each storage replaced by the backend's buffer and the backend's thread count added. The
 * bindings are generated from the kernel contract (crates/contract), so the names match by
 * construction and each backend checks its binding's generated types against the core's
 * argument types at compile time (`BindingAgrees`).
 *
 * Kernel errors cross the boundary as JS Errors whose `code` names dlp's error class
 * ("ShapeError", "ArgumentError"; on the GPU also "AllocationError", "DlpError"): they are
 * rethrown as that class with the same message.
 */

import { AllocationError, ArgumentError, BackendUnavailableError, DistributedError, DlpError, ShapeError } from '../errors.js';
import { KERNEL_NAMES, registerKernel, type KernelName, type KernelSignatures } from '../kernels/registry.js';
import type { WithBuffers } from '../kernels/with-buffers.js';
import type { Backend, BackendName, Storage } from './backend.js';

/** A binding's kernel functions, each taking one object of named arguments. */
export type BindingFunctions = Record<string, unknown>;

/**
 * Registers, on `backendName`, every kernel the binding exports. `bindingOf` finds the
 * binding of the backend instance a call runs on (wasm backends may load different builds);
 * `buffer` turns a storage into what the binding takes. Kernels in `except` are left out
 * (the backend registers its own version).
 */
export function registerBindingKernels(
  backendName: BackendName,
  exported: BindingFunctions,
  bindingOf: (backend: Backend) => BindingFunctions,
  buffer: (storage: Storage) => unknown,
  except: readonly KernelName[] = [],
): void {
  for (const name of KERNEL_NAMES) {
    if (typeof exported[name] !== 'function' || except.includes(name)) continue;
    const kernel = (backend: Backend, args: Record<string, unknown>) => {
      // A fresh object per call (the caller's stays untouched); `for in` over a literal's own
      // keys, since Object.entries' arrays cost more than the kernel call on small tensors.
      const named: Record<string, unknown> = { threads: backend.threads };
      for (const key in args) {
        const value = args[key];
        named[key] = isStorage(value) ? buffer(value) : value;
      }
      try {
        return (bindingOf(backend)[name] as (args: Record<string, unknown>) => unknown)(named);
      } catch (error) {
        throw typedError(error);
      }
    };
    registerKernel(name, backendName, kernel as unknown as KernelSignatures[typeof name]);
  }
}

/** A storage (every backend's has a dtype; typed arrays passed as they are, e.g. labels, have none). */
function isStorage(value: unknown): value is Storage {
  return typeof value === 'object' && value !== null && (value as Partial<Storage>).dtype !== undefined;
}

/** The classes a binding's error `code` may name; anything else reads as an ArgumentError. */
const ERROR_CLASSES: Record<string, new (message: string) => DlpError> = {
  ShapeError,
  ArgumentError,
  AllocationError,
  BackendUnavailableError,
  DistributedError,
  DlpError,
};

/** A binding's error as dlp's typed error of the class its `code` names. */
export function typedError(error: unknown): unknown {
  if (!(error instanceof Error) || error instanceof DlpError) return error;
  const code = (error as { code?: unknown }).code;
  const ErrorClass = (typeof code === 'string' && ERROR_CLASSES[code]) || ArgumentError;
  return new ErrorClass(error.message);
}

/** Arrays as a binding's declarations spell them (mutable). */
type Writable<T> = { -readonly [K in keyof T]-?: T[K] extends readonly (infer E)[] ? E[] : T[K] };
type ArgsOf<F> = F extends (args: infer A) => unknown ? A : never;
/** A kernel's arguments as the core passes them to a binding whose buffers are `B`. */
type CoreArgs<K extends KernelName, B> = Writable<WithBuffers<Parameters<KernelSignatures[K]>[1], B>>;
type BindingArgs<F> = Writable<Omit<ArgsOf<F>, 'threads'>>;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/**
 * The kernels of `Binding` (a generated declaration file's module type) whose arguments differ
 * from the core's: a field missing, renamed or of another type. `never` when all agree.
 */
export type BindingMismatches<Binding, B> = {
  [K in KernelName & keyof Binding]: Same<keyof CoreArgs<K, B>, keyof BindingArgs<Binding[K]>> extends true
    ? [CoreArgs<K, B>] extends [BindingArgs<Binding[K]>]
      ? never
      : K
    : K;
}[KernelName & keyof Binding];
