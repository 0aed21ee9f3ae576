/**
 * torch.optim.Adam (amsgrad off) with its exact update and bias correction: per parameter,
 * m = β1·m + (1 − β1)·g, v = β2·v + (1 − β2)·g², p −= lr/(1 − β1ᵗ) · m / (√v/√(1 − β2ᵗ) + eps),
 * g including weightDecay·p. One fused kernel per parameter; t counts each parameter's steps.
 */

import { ArgumentError } from '../errors.js';
import { getKernel } from '../kernels/registry.js';
import { zerosLike } from '../ops/raw.js';
import type { Tensor } from '../tensor.js';
import { checkHyperparameter, Optimizer } from './optimizer.js';

export interface AdamOptions {
  lr?: number;
  betas?: readonly [number, number];
  eps?: number;
  weightDecay?: number;
}

interface AdamState {
  step: number;
  expAvg: Tensor;
  expAvgSq: Tensor;
}

export class Adam extends Optimizer {
  readonly lr: number;
  readonly betas: readonly [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  readonly #state = new Map<Tensor, AdamState>();

  constructor(params: Iterable<Tensor>, options: AdamOptions = {}) {
    super('Adam', params);
    this.lr = options.lr ?? 1e-3;
    this.betas = options.betas ?? [0.9, 0.999];
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    checkHyperparameter('Adam', 'lr', this.lr, true);
    checkHyperparameter('Adam', 'eps', this.eps);
    checkHyperparameter('Adam', 'weightDecay', this.weightDecay);
    for (const [i, beta] of this.betas.entries()) {
      if (!(beta >= 0 && beta < 1)) throw new ArgumentError(`Adam: betas[${i}] must be in [0, 1), got ${beta}`);
    }
  }

  /** A parameter's step count and moment estimates (undefined before its first step). */
  state(param: Tensor): Readonly<AdamState> | undefined {
    return this.#state.get(param);
  }

  step(): void {
    for (const p of this.params) {
      if (!p.grad) continue;
      let state = this.#state.get(p);
      if (!state) this.#state.set(p, (state = { step: 0, expAvg: zerosLike(p), expAvgSq: zerosLike(p) }));
      state.step += 1;
      getKernel('adamStep', p.backend.name)(p.backend, {
        param: p.storage,
        grad: p.grad.contiguous().storage,
        expAvg: state.expAvg.storage,
        expAvgSq: state.expAvgSq.storage,
        lr: this.lr,
        beta1: this.betas[0],
        beta2: this.betas[1],
        eps: this.eps,
        weightDecay: this.weightDecay,
        step: state.step,
      });
    }
  }
}
