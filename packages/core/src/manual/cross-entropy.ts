/**
 * CrossEntropyModule: L = −(1/B)·Σ_b Σ_c y_bc·log x_bc for probabilities x [B, C] and one-hot
 * targets y [B, C] (mean over the batch). Backward, by hand: dL/dx = −y / (x·B).
 */

import type { Backend } from '../backends/backend.js';
import type { DType } from '../dtype.js';
import { ShapeError } from '../errors.js';
import { getKernel } from '../kernels/registry.js';
import { formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { expectSameShape, resolveManualOptions, type ManualOptions } from './options.js';
import { reuseTensor } from '../reuse-tensor.js';

export class CrossEntropyModule {
  readonly backend: Backend;
  readonly dtype: DType;
  #dx: Tensor | undefined;

  constructor(options: ManualOptions = {}) {
    ({ backend: this.backend, dtype: this.dtype } = resolveManualOptions(options));
  }

  /** The mean loss over the batch. */
  forward(x: Tensor, y: Tensor): number {
    const [rows, cols] = this.#check('forward', x, y);
    return getKernel('crossEntropy', this.backend.name)(this.backend, { probs: x.storage, targets: y.storage, rows, cols });
  }

  /** dL/dx [B, C] (reused by the next call). */
  backward(x: Tensor, y: Tensor): Tensor {
    const [rows, cols] = this.#check('backward', x, y);
    const dx = (this.#dx = reuseTensor(this.#dx, x.shape, this.backend, this.dtype));
    getKernel('crossEntropyBackward', this.backend.name)(this.backend, { probs: x.storage, targets: y.storage, dprobs: dx.storage, rows, cols });
    return dx;
  }

  #check(method: string, x: Tensor, y: Tensor): [number, number] {
    if (x.rank !== 2) throw new ShapeError(`CrossEntropyModule.${method}: input of shape ${formatShape(x.shape)} should be [batch,classes]`);
    expectSameShape(`CrossEntropyModule.${method}`, 'the one-hot target', x, y);
    return x.shape as [number, number];
  }
}
