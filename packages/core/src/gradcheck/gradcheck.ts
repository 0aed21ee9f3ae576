/**
 * gradcheck(fn, inputs): PyTorch's torch.autograd.gradcheck for dlp ops and functions. The
 * analytic Jacobian (one backward pass per output element) is compared with central finite
 * differences (two forward passes per input element), element by element:
 * |analytic − numeric| ≤ atol + rtol·|numeric|. Inputs must be float64 (js backend): in
 * float32 the differences drown in rounding.
 *
 * @example
 * const x = Tensor.from([0.3, -1.2], [2], { backend: 'js', dtype: 'float64', requiresGrad: true });
 * gradcheck((t) => t.tanh(), [x]); // true, or throws GradcheckError naming the worst element
 */

import { noGrad } from '../autograd/grad-mode.js';
import { DlpError, DTypeError } from '../errors.js';
import { Tensor } from '../tensor.js';

export interface GradcheckOptions {
  /** Finite-difference step. Default 1e-6. */
  eps?: number;
  /** Absolute tolerance. Default 1e-5. */
  atol?: number;
  /** Relative tolerance. Default 1e-3. */
  rtol?: number;
  /** Throw a GradcheckError on a mismatch (default true) instead of returning false. */
  raiseException?: boolean;
}

/** A gradient that does not match its finite-difference estimate; the message says where. */
export class GradcheckError extends DlpError {
  override readonly name = 'GradcheckError';
}

export function gradcheck(fn: (...inputs: Tensor[]) => Tensor, inputs: readonly Tensor[], options: GradcheckOptions = {}): boolean {
  const eps = options.eps ?? 1e-6;
  const atol = options.atol ?? 1e-5;
  const rtol = options.rtol ?? 1e-3;
  for (const [i, t] of inputs.entries()) {
    if (t.requiresGrad && t.dtype !== 'float64') {
      throw new DTypeError(`gradcheck: input ${i} is ${t.dtype}; gradcheck needs float64 inputs (js backend)`);
    }
  }
  const checked = inputs.map((t, i) => [t, i] as const).filter(([t]) => t.requiresGrad);
  const evaluate = (): Float64Array => Float64Array.from(noGrad(() => fn(...inputs)).toArray());
  const output = fn(...inputs);
  const outputSize = output.size;

  // Analytic Jacobian rows: d output[o] / d input, by backward from a one-hot gradient.
  const analytic = checked.map(([t]) => new Float64Array(outputSize * t.size));
  for (let o = 0; o < outputSize; o++) {
    for (const [t] of checked) t.grad = null;
    const onehot = new Float64Array(outputSize);
    onehot[o] = 1;
    const out = o === 0 ? output : fn(...inputs);
    if (!out.requiresGrad) throw new GradcheckError('gradcheck: the output does not require grad (no input on the tape?)');
    out.backward(Tensor.from(onehot, out.shape, { backend: out.backend, dtype: 'float64' }));
    checked.forEach(([t], k) => {
      const grad = t.grad?.toArray();
      if (grad) analytic[k]!.set(grad, o * t.size);
    });
  }
  for (const [t] of checked) t.grad = null;

  // Numeric Jacobian columns, perturbing each input element in place.
  for (const [k, [t, index]] of checked.entries()) {
    if (!t.isContiguous()) throw new GradcheckError(`gradcheck: input ${index} is a view; pass a contiguous tensor`);
    const values = t.backend.read(t.storage, 0, t.size);
    const set = (j: number, value: number) => t.backend.write(t.storage, [value], j);
    for (let j = 0; j < t.size; j++) {
      const saved = values[j]!;
      set(j, saved + eps);
      const plus = evaluate();
      set(j, saved - eps);
      const minus = evaluate();
      set(j, saved);
      for (let o = 0; o < outputSize; o++) {
        const numeric = (plus[o]! - minus[o]!) / (2 * eps);
        const a = analytic[k]![o * t.size + j]!;
        if (!(Math.abs(a - numeric) <= atol + rtol * Math.abs(numeric))) {
          if (options.raiseException === false) return false;
          throw new GradcheckError(
            `gradcheck: d output[${o}] / d input ${index}[${j}] is ${a} by backward but ${numeric} by finite differences (atol ${atol}, rtol ${rtol})`,
          );
        }
      }
    }
  }
  return true;
}
