/** Optimizer steps in plain loops, elementwise, float32 or float64: sgd (param −= lr·grad). */

import type { TypedArray } from '../../dtype.js';

export function sgdUpdateReference(param: TypedArray, grad: TypedArray, lr: number): void {
  for (let i = 0; i < param.length; i++) param[i] = param[i]! - lr * grad[i]!;
}
