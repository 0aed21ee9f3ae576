/** The CLI's own error: a usage mistake (unknown flag, bad value). Exit code 2 like DlpError. */

export class UsageError extends Error {
  override readonly name = 'UsageError';
}
