/**
 * Typed errors of @dlp/core. Every message names the thing at fault and what was expected,
 * so the CLI can print it as its one line (exit code 2) and library users can `instanceof` it.
 */

/** Base class: anything dlp rejects on purpose (bad input, missing build, bad data). */
export class DlpError extends Error {
  override readonly name: string = 'DlpError';
}

/** Shapes that do not fit an operation, e.g. a matmul whose inner dimensions differ. */
export class ShapeError extends DlpError {
  override readonly name = 'ShapeError';
}

/** A dtype a backend or an op does not support (float64 is reference-backend only). */
export class DTypeError extends DlpError {
  override readonly name = 'DTypeError';
}

/** A backend that cannot be used here, with the reason (addon not built, no SIMD, ...). */
export class BackendUnavailableError extends DlpError {
  override readonly name = 'BackendUnavailableError';
  /**
   * True when the backend is simply not set up on this machine, as on most (no NVIDIA driver,
   * an addon built without CUDA): `auto` passes over it without a word. Otherwise `auto` says
   * why it passed over a faster backend.
   */
  readonly notSetUp: boolean;

  constructor(message: string, options: { notSetUp?: boolean } = {}) {
    super(message);
    this.notSetUp = options.notSetUp ?? false;
  }
}

/** An optional package a feature needs is not installed (the message names it and the install command). */
export class MissingDependencyError extends DlpError {
  override readonly name = 'MissingDependencyError';
}

/** A dataset file that is missing, truncated or malformed; the message names the file. */
export class DataError extends DlpError {
  // typed `string`, not the literal, so that WeightsFormatError can extend it
  override readonly name: string = 'DataError';
}

/** An argument outside its allowed range (negative learning rate, zero batch size, ...). */
export class ArgumentError extends DlpError {
  // typed `string`, not the literal, so that DisposedTensorError can extend it
  override readonly name: string = 'ArgumentError';
}

/**
 * A weight file (safetensors, PyTorch `.pth`/`.pt`) that is malformed, or that asks for
 * something the readers refuse (code to run, a dtype they do not read); the message names the
 * file, what is wrong and where. A DataError, so code catching those catches these too.
 */
export class WeightsFormatError extends DataError {
  override readonly name = 'WeightsFormatError';
}

/**
 * Memory a backend cannot hand out: more elements than it can address (a typed array's
 * 2^32, wasm32's 4 GiB) or than the machine gives. The message names the size asked for and
 * the backend's limit; every backend throws this class for it.
 */
export class AllocationError extends DlpError {
  override readonly name = 'AllocationError';
}

/**
 * A tensor used after `dispose()` (or a view of one): its memory was freed and may hold another
 * tensor now. An ArgumentError, so code catching those catches this too; every backend throws it.
 */
export class DisposedTensorError extends ArgumentError {
  override readonly name = 'DisposedTensorError';
}

/**
 * Data-parallel training cannot go on: MPI is not installed here, a collective failed, or the
 * ranks disagree (different settings, a model of another size). The message names the rank.
 */
export class DistributedError extends DlpError {
  override readonly name = 'DistributedError';
}
