/**
 * How an op joins the tape: after computing its output without recording, it calls `record`,
 * which attaches a GradNode when recording is on and some input requires grad.
 */

import type { Tensor } from '../tensor.js';
import { isGradEnabled } from './grad-mode.js';
import { GradNode, type BackwardFn } from './node.js';

/** True when an op on these inputs must record its backward (check before saving anything). */
export function needsRecording(inputs: readonly (Tensor | undefined)[]): boolean {
  return isGradEnabled() && inputs.some((t) => t !== undefined && t.requiresGrad);
}

/**
 * Marks `output` as produced by an op with this backward, if the tape is on for `inputs`.
 * Returns `output` for chaining.
 */
export function record(output: Tensor, name: string, inputs: readonly Tensor[], backward: BackwardFn, onRelease?: () => void): Tensor {
  if (needsRecording(inputs)) output.setGradFn(new GradNode(name, inputs, backward, onRelease));
  return output;
}
