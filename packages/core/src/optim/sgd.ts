/**
 * torch.optim.SGD with its exact update: d = g + weightDecay·p; with momentum,
 * buf = momentum·buf + (1 − dampening)·d (buf = d on the first step) and d = nesterov ?
 * d + momentum·buf : buf; then p −= lr·d. One fused kernel per parameter.
 */

import { ArgumentError } from '../errors.js';
import { getKernel } from '../kernels/registry.js';
import { zerosLike } from '../ops/raw.js';
import type { Tensor } from '../tensor.js';
import { checkHyperparameter, Optimizer, type OptimizerStateDict, type TensorValues } from './optimizer.js';

export interface SgdOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  weightDecay?: number;
}

export class SGD extends Optimizer {
  // Writable, as torch.optim's param_groups are: loadStateDict sets them, a schedule may too.
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
  /** Momentum buffers, created on each parameter's first step. */
  readonly #buffers = new Map<Tensor, Tensor>();

  constructor(params: Iterable<Tensor>, options: SgdOptions) {
    super('SGD', params);
    this.lr = options.lr;
    this.momentum = options.momentum ?? 0;
    this.dampening = options.dampening ?? 0;
    this.nesterov = options.nesterov ?? false;
    this.weightDecay = options.weightDecay ?? 0;
    checkSgdOptions(this);
  }

  /** The momentum buffer of a parameter (undefined before its first step or without momentum). */
  momentumBuffer(param: Tensor): Tensor | undefined {
    return this.#buffers.get(param);
  }

  /**
   * torch.optim.SGD's state_dict: `state[i] = { momentum_buffer }` for each parameter with a
   * momentum buffer (none without momentum), and one group `{ lr, momentum, dampening,
   * weight_decay, nesterov, maximize, params }`. The buffers are the optimiser's own.
   */
  stateDict(): OptimizerStateDict {
    const state: OptimizerStateDict['state'] = {};
    this.params.forEach((p, i) => {
      const buffer = this.#buffers.get(p);
      if (buffer) state[i] = { momentum_buffer: buffer };
    });
    const group = {
      lr: this.lr,
      momentum: this.momentum,
      dampening: this.dampening,
      weight_decay: this.weightDecay,
      nesterov: this.nesterov,
      maximize: false,
      params: this.params.map((_, i) => i),
    };
    return { state, param_groups: [group] };
  }

  loadStateDict(stateDict: OptimizerStateDict<TensorValues>): void {
    const group = this.loadedGroup(stateDict);
    this.unsupportedFlag(group, 'maximize');
    const nesterov = group.nesterov === undefined ? this.nesterov : group.nesterov;
    if (typeof nesterov !== 'boolean') throw new ArgumentError(`SGD.loadStateDict: nesterov must be true or false, got ${JSON.stringify(nesterov)}`);
    const options = {
      lr: this.groupNumber(group, 'lr', this.lr),
      momentum: this.groupNumber(group, 'momentum', this.momentum),
      dampening: this.groupNumber(group, 'dampening', this.dampening),
      weightDecay: this.groupNumber(group, 'weight_decay', this.weightDecay),
      nesterov,
    };
    checkSgdOptions(options);
    const loaded = new Map<Tensor, Tensor>();
    for (const [key, entry] of Object.entries(stateDict.state)) {
      const i = Number(key);
      // torch keeps `momentum_buffer: None` for parameters stepped without momentum.
      if (entry.momentum_buffer === undefined || entry.momentum_buffer === null) continue;
      loaded.set(this.params[i]!, this.loadedTensor(i, 'momentum_buffer', entry.momentum_buffer));
    }
    // Everything is checked: only now does this optimiser change (old buffers are left to
    // whoever still holds an earlier stateDict()).
    this.#buffers.clear();
    for (const [p, buffer] of loaded) this.#buffers.set(p, buffer);
    Object.assign(this, options);
  }

  step(): void {
    for (const p of this.params) {
      if (!p.grad) continue;
      let buffer = this.#buffers.get(p);
      const firstStep = buffer === undefined;
      if (this.momentum !== 0 && !buffer) this.#buffers.set(p, (buffer = zerosLike(p)));
      getKernel('sgdStep', p.backend.name)(p.backend, {
        param: p.storage,
        grad: p.grad.contiguous().storage,
        ...(buffer ? { momentumBuffer: buffer.storage } : {}),
        lr: this.lr,
        momentum: this.momentum,
        dampening: this.dampening,
        nesterov: this.nesterov,
        weightDecay: this.weightDecay,
        firstStep,
      });
    }
  }
}

function checkSgdOptions(options: { lr: number; momentum: number; dampening: number; nesterov: boolean; weightDecay: number }): void {
  checkHyperparameter('SGD', 'lr', options.lr, true);
  checkHyperparameter('SGD', 'momentum', options.momentum);
  checkHyperparameter('SGD', 'dampening', options.dampening);
  checkHyperparameter('SGD', 'weightDecay', options.weightDecay);
  if (options.nesterov && (options.momentum === 0 || options.dampening !== 0)) {
    throw new ArgumentError('SGD: nesterov momentum requires a momentum and zero dampening');
  }
}
