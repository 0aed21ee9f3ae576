/** What every optimiser shares: the parameters it updates, zeroGrad(), and checks of its options. */

import { ArgumentError } from '../errors.js';
import type { Tensor } from '../tensor.js';

export abstract class Optimizer {
  readonly params: readonly Tensor[];

  constructor(name: string, params: Iterable<Tensor>) {
    this.params = [...params];
    if (this.params.length === 0) throw new ArgumentError(`${name}: got an empty parameter list`);
    const frozen = this.params.findIndex((p) => !p.requiresGrad);
    if (frozen >= 0) throw new ArgumentError(`${name}: parameter ${frozen} does not require grad`);
  }

  /** One update of every parameter that has a gradient (parameters without one are skipped). */
  abstract step(): void;

  /** Clears the gradients (set to null, PyTorch's set_to_none=True). */
  zeroGrad(): void {
    for (const p of this.params) p.grad = null;
  }
}

/** Throws unless `value` is a finite number ≥ 0 (or > 0 with `positive`). */
export function checkHyperparameter(optimizer: string, name: string, value: number, positive = false): void {
  if (!Number.isFinite(value) || value < 0 || (positive && value === 0)) {
    throw new ArgumentError(`${optimizer}: ${name} must be ${positive ? 'a positive' : 'a non-negative'} number, got ${value}`);
  }
}
