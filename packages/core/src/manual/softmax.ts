/**
 * SoftMaxModule: row-wise softmax of x [B, C] with the max trick (exp(x − max) never
 * overflows). Backward, by hand, from the saved output s: dx = s ∘ (dout − Σ_j dout_j·s_j).
 */

import type { Backend } from '../backends/backend.js';
import type { DType } from '../dtype.js';
import { ArgumentError, ShapeError } from '../errors.js';
import { getKernel } from '../kernels/registry.js';
import { formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { expectSameShape, resolveManualOptions, type ManualOptions } from './options.js';
import { reuseTensor } from '../reuse-tensor.js';

export class SoftMaxModule {
  readonly backend: Backend;
  readonly dtype: DType;
  #out: Tensor | undefined;
  #dx: Tensor | undefined;

  constructor(options: ManualOptions = {}) {
    ({ backend: this.backend, dtype: this.dtype } = resolveManualOptions(options));
  }

  forward(x: Tensor): Tensor {
    if (x.rank !== 2) throw new ShapeError(`SoftMaxModule.forward: input of shape ${formatShape(x.shape)} should be [batch,classes]`);
    const out = (this.#out = reuseTensor(this.#out, x.shape, this.backend, this.dtype));
    const [rows, cols] = x.shape as [number, number];
    getKernel('softmax', this.backend.name)(this.backend, { x: x.storage, out: out.storage, rows, cols });
    return out;
  }

  backward(dout: Tensor): Tensor {
    const s = this.#out;
    if (!s) throw new ArgumentError('SoftMaxModule.backward called before forward');
    expectSameShape('SoftMaxModule.backward', 'dout', s, dout);
    const dx = (this.#dx = reuseTensor(this.#dx, s.shape, this.backend, this.dtype));
    const [rows, cols] = s.shape as [number, number];
    getKernel('softmaxBackward', this.backend.name)(this.backend, { s: s.storage, dout: dout.storage, dx: dx.storage, rows, cols });
    return dx;
  }
}
