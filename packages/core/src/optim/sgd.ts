/**
 * torch.optim.SGD with its exact update: d = g + weightDecay·p; with momentum,
 * buf = momentum·buf + (1 − dampening)·d (buf = d on the first step) and d = nesterov ?
 * d + momentum·buf : buf; then p −= lr·d. One fused kernel per parameter.
 */

import { ArgumentError } from '../errors.js';
import { getKernel } from '../kernels/registry.js';
import { zerosLike } from '../ops/raw.js';
import type { Tensor } from '../tensor.js';
import { checkHyperparameter, Optimizer } from './optimizer.js';

export interface SgdOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  weightDecay?: number;
}

export class SGD extends Optimizer {
  readonly lr: number;
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;
  /** Momentum buffers, created on each parameter's first step. */
  readonly #buffers = new Map<Tensor, Tensor>();

  constructor(params: Iterable<Tensor>, options: SgdOptions) {
    super('SGD', params);
    this.lr = options.lr;
    this.momentum = options.momentum ?? 0;
    this.dampening = options.dampening ?? 0;
    this.nesterov = options.nesterov ?? false;
    this.weightDecay = options.weightDecay ?? 0;
    checkHyperparameter('SGD', 'lr', this.lr, true);
    checkHyperparameter('SGD', 'momentum', this.momentum);
    checkHyperparameter('SGD', 'dampening', this.dampening);
    checkHyperparameter('SGD', 'weightDecay', this.weightDecay);
    if (this.nesterov && (this.momentum === 0 || this.dampening !== 0)) {
      throw new ArgumentError('SGD: nesterov momentum requires a momentum and zero dampening');
    }
  }

  /** The momentum buffer of a parameter (undefined before its first step or without momentum). */
  momentumBuffer(param: Tensor): Tensor | undefined {
    return this.#buffers.get(param);
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
