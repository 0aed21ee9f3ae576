/**
 * ELUModule: out = x if x > 0 else alpha·(eˣ − 1), elementwise (alpha = 1 in the course).
 * Backward, by hand: dx = dout · (1 if x > 0 else alpha·eˣ), from the saved input.
 */

import type { Backend } from '../backends/backend.js';
import type { DType } from '../dtype.js';
import { ArgumentError } from '../errors.js';
import { getKernel } from '../kernels/registry.js';
import type { Tensor } from '../tensor.js';
import { expectSameShape, resolveManualOptions, type ManualOptions } from './options.js';
import { reuseTensor } from '../reuse-tensor.js';

export class ELUModule {
  readonly alpha: number;
  readonly backend: Backend;
  readonly dtype: DType;
  #input: Tensor | undefined;
  #out: Tensor | undefined;
  #dx: Tensor | undefined;

  constructor(options: ManualOptions & { alpha?: number } = {}) {
    ({ backend: this.backend, dtype: this.dtype } = resolveManualOptions(options));
    this.alpha = options.alpha ?? 1;
  }

  forward(x: Tensor): Tensor {
    const out = (this.#out = reuseTensor(this.#out, x.shape, this.backend, this.dtype));
    getKernel('elu', this.backend.name)(this.backend, { x: x.storage, out: out.storage, alpha: this.alpha });
    this.#input = x;
    return out;
  }

  backward(dout: Tensor): Tensor {
    const x = this.#input;
    if (!x) throw new ArgumentError('ELUModule.backward called before forward');
    expectSameShape('ELUModule.backward', 'dout', x, dout);
    const dx = (this.#dx = reuseTensor(this.#dx, x.shape, this.backend, this.dtype));
    getKernel('eluBackward', this.backend.name)(this.backend, { x: x.storage, dout: dout.storage, dx: dx.storage, alpha: this.alpha });
    return dx;
  }
}
