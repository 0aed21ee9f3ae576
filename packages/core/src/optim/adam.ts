/**
 * torch.optim.Adam (amsgrad off) with its exact update and bias correction: per parameter,
 * m = β1·m + (1 − β1)·g, v = β2·v + (1 − β2)·g², p −= lr/(1 − β1ᵗ) · m / (√v/√(1 − β2ᵗ) + eps),
 * g including weightDecay·p. One fused kernel per parameter; t counts each parameter's steps.
 */

import { ArgumentError } from '../errors.js';
import { getKernel } from '../kernels/registry.js';
import { zerosLike } from '../ops/raw.js';
import type { Tensor } from '../tensor.js';
import { checkHyperparameter, Optimizer, type OptimizerStateDict, type TensorValues } from './optimizer.js';

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
  // Writable, as torch.optim's param_groups are: loadStateDict sets them, a schedule may too.
  lr: number;
  betas: readonly [number, number];
  eps: number;
  weightDecay: number;
  readonly #state = new Map<Tensor, AdamState>();

  constructor(params: Iterable<Tensor>, options: AdamOptions = {}) {
    super('Adam', params);
    this.lr = options.lr ?? 1e-3;
    this.betas = options.betas ?? [0.9, 0.999];
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    checkAdamOptions(this);
  }

  /** A parameter's step count and moment estimates (undefined before its first step). */
  state(param: Tensor): Readonly<AdamState> | undefined {
    return this.#state.get(param);
  }

  /**
   * torch.optim.Adam's state_dict: `state[i] = { step, exp_avg, exp_avg_sq }` for each
   * parameter that has taken a step, and one group `{ lr, betas, eps, weight_decay, amsgrad,
   * maximize, params }`. The tensors are the optimiser's own.
   */
  stateDict(): OptimizerStateDict {
    const state: OptimizerStateDict['state'] = {};
    this.params.forEach((p, i) => {
      const s = this.#state.get(p);
      if (s) state[i] = { step: s.step, exp_avg: s.expAvg, exp_avg_sq: s.expAvgSq };
    });
    const group = {
      lr: this.lr,
      betas: [...this.betas],
      eps: this.eps,
      weight_decay: this.weightDecay,
      amsgrad: false,
      maximize: false,
      params: this.params.map((_, i) => i),
    };
    return { state, param_groups: [group] };
  }

  loadStateDict(stateDict: OptimizerStateDict<TensorValues>): void {
    const group = this.loadedGroup(stateDict);
    this.unsupportedFlag(group, 'amsgrad');
    this.unsupportedFlag(group, 'maximize');
    const betas = group.betas === undefined ? this.betas : group.betas;
    if (!Array.isArray(betas) || betas.length !== 2 || !betas.every((b) => typeof b === 'number')) {
      throw new ArgumentError(`Adam.loadStateDict: betas must be two numbers, got ${JSON.stringify(betas)}`);
    }
    const options = {
      lr: this.groupNumber(group, 'lr', this.lr),
      betas: [betas[0] as number, betas[1] as number] as const,
      eps: this.groupNumber(group, 'eps', this.eps),
      weightDecay: this.groupNumber(group, 'weight_decay', this.weightDecay),
    };
    checkAdamOptions(options);
    const loaded = new Map<Tensor, AdamState>();
    for (const [key, entry] of Object.entries(stateDict.state)) {
      const i = Number(key);
      const step = stepCount(entry.step, i);
      loaded.set(this.params[i]!, { step, expAvg: this.loadedTensor(i, 'exp_avg', entry.exp_avg), expAvgSq: this.loadedTensor(i, 'exp_avg_sq', entry.exp_avg_sq) });
    }
    // Everything is checked: only now does this optimiser change. The old state tensors are
    // not disposed: a stateDict() taken earlier may still hold them.
    this.#state.clear();
    for (const [p, s] of loaded) this.#state.set(p, s);
    Object.assign(this, options);
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

function checkAdamOptions(options: { lr: number; betas: readonly number[]; eps: number; weightDecay: number }): void {
  checkHyperparameter('Adam', 'lr', options.lr, true);
  checkHyperparameter('Adam', 'eps', options.eps);
  checkHyperparameter('Adam', 'weightDecay', options.weightDecay);
  for (const [i, beta] of options.betas.entries()) {
    if (!(beta >= 0 && beta < 1)) throw new ArgumentError(`Adam: betas[${i}] must be in [0, 1), got ${beta}`);
  }
}

/** A saved step count: a number, or (torch ≥ 1.12 saves it so) a one-element tensor. */
function stepCount(value: TensorValues | number | undefined, index: number): number {
  let step: unknown = value;
  if (typeof value === 'object' && value !== null) {
    const values = 'toArray' in value ? value.toArray() : value.data;
    step = values.length === 1 ? values[0] : undefined;
  }
  if (!Number.isSafeInteger(step) || (step as number) < 1) {
    throw new ArgumentError(`Adam.loadStateDict: state ${index}.step must be a positive integer, got ${JSON.stringify(step ?? null)}`);
  }
  return step as number;
}
