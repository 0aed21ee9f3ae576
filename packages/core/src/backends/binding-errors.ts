/**
 * The Rust kernels reach JS through their bindings as plain `Error`s carrying dlp-kernels'
 * messages. `typedErrors` rethrows them as dlp's typed errors, so a kernel throws the same class
 * on every backend as on js: a wrong length ("x should hold 2x3 = 6 elements but holds 5", the
 * wording of every length check) is a ShapeError, any other refusal (shared memory, a missing
 * buffer, a step of 0) an ArgumentError.
 */

import { ArgumentError, DlpError, ShapeError } from '../errors.js';

/** Runs a binding call, rethrowing its kernel errors as ShapeError or ArgumentError. */
export function typedErrors<T>(call: () => T): T {
  try {
    return call();
  } catch (error) {
    if (!(error instanceof Error) || error instanceof DlpError) throw error;
    throw / should hold .* but holds /.test(error.message) ? new ShapeError(error.message) : new ArgumentError(error.message);
  }
}
