/**
 * Numerical gradients by central finite differences, for checking hand-written backward passes
 * (the course's `eval_numerical_gradient` and `rel_error`). Run them in float64 on the js
 * backend: in float32 the differences drown in rounding.
 *
 * @example
 * const x = Float64Array.of(0.5, -1.2);
 * const numeric = numericalGradient(() => x[0]! ** 2 + 3 * x[1]!, x); // ≈ [1, 3]
 * relativeError(numeric, Float64Array.of(1, 3)) < 1e-8; // true
 */

import type { TypedArray } from '../dtype.js';
import { ShapeError } from '../errors.js';

export interface FiniteDifferenceOptions {
  /** Step h of (f(x+h) − f(x−h)) / 2h. Default 1e-5. */
  eps?: number;
}

/**
 * ∂f/∂x for a scalar f: perturbs each element of `x` in place (restoring it) and re-evaluates
 * `f`, which must read `x` afresh on every call.
 */
export function numericalGradient(f: () => number, x: TypedArray, options: FiniteDifferenceOptions = {}): Float64Array {
  const h = options.eps ?? 1e-5;
  const grad = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const saved = x[i]!;
    x[i] = saved + h;
    const plus = f();
    x[i] = saved - h;
    const minus = f();
    x[i] = saved;
    grad[i] = (plus - minus) / (2 * h);
  }
  return grad;
}

/**
 * The gradient of Σ f(x)·dout wrt x for an array-valued f, i.e. what a backward pass given
 * `dout` must return. `f` must read `x` afresh and return a fresh (or copied) array.
 */
export function numericalGradientArray(
  f: () => ArrayLike<number>,
  x: TypedArray,
  dout: ArrayLike<number>,
  options: FiniteDifferenceOptions = {},
): Float64Array {
  const h = options.eps ?? 1e-5;
  const grad = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const saved = x[i]!;
    x[i] = saved + h;
    const plus = Float64Array.from(f());
    x[i] = saved - h;
    const minus = f();
    x[i] = saved;
    if (plus.length !== dout.length || minus.length !== dout.length) {
      throw new ShapeError(`numericalGradientArray: f returned ${plus.length} values but dout has ${dout.length}`);
    }
    let sum = 0;
    for (let j = 0; j < dout.length; j++) sum += (plus[j]! - minus[j]!) * dout[j]!;
    grad[i] = sum / (2 * h);
  }
  return grad;
}

/** max_i |a−b| / max(1e-8, |a|+|b|): the course's `rel_error`. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new ShapeError(`relativeError: lengths ${a.length} and ${b.length} differ`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    worst = Math.max(worst, Math.abs(x - y) / Math.max(1e-8, Math.abs(x) + Math.abs(y)));
  }
  return worst;
}

export interface GradientReport {
  /** relativeError(analytic, numeric). */
  relativeError: number;
  /** Index of the element with the largest relative error (−1 when empty). */
  worstIndex: number;
  analytic: Float64Array;
  numeric: Float64Array;
}

/** Compares an analytic gradient with a numerical one, naming the worst element. */
export function compareGradients(analytic: ArrayLike<number>, numeric: ArrayLike<number>): GradientReport {
  const a = Float64Array.from(analytic);
  const n = Float64Array.from(numeric);
  let worstIndex = -1;
  let worst = -1;
  for (let i = 0; i < a.length; i++) {
    const e = relativeError([a[i]!], [n[i]!]);
    if (e > worst) [worst, worstIndex] = [e, i];
  }
  return { relativeError: relativeError(a, n), worstIndex, analytic: a, numeric: n };
}
