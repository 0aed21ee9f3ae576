/**
 * Whether ops record the tape. Off inside `noGrad` (evaluation, optimiser updates), as
 * `torch.no_grad()`; the mode is global because JS runs one op at a time.
 */

let enabled = true;

export function isGradEnabled(): boolean {
  return enabled;
}

/**
 * Runs `fn` without recording: results of ops inside do not require grad.
 * @example const logits = noGrad(() => model.forward(x)); // evaluation
 */
export function noGrad<T>(fn: () => T): T {
  const previous = enabled;
  enabled = false;
  try {
    return fn();
  } finally {
    enabled = previous;
  }
}

/** Runs `fn` with recording on (inside a `noGrad`, say), as `torch.enable_grad()`. */
export function enableGrad<T>(fn: () => T): T {
  const previous = enabled;
  enabled = true;
  try {
    return fn();
  } finally {
    enabled = previous;
  }
}
