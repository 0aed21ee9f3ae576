/**
 * LinearModule: out = x·Wᵀ + b for x of shape [B, in], W of shape [out, in] (PyTorch's layout),
 * b of shape [out]; weights drawn from N(0, 1e-4²), bias 0, as in the course.
 * Backward, by hand: dW = doutᵀ·x, db = Σ_rows dout, dx = dout·W. The transposes are flags
 * to the GEMM kernel, never copies.
 */

import type { Backend } from '../backends/backend.js';
import type { DType } from '../dtype.js';
import { ArgumentError } from '../errors.js';
import { getKernel } from '../kernels/registry.js';
import { Rng } from '../random.js';
import { Tensor } from '../tensor.js';
import { expectMatrix, resolveManualOptions, type ManualOptions } from './options.js';
import { reuseTensor } from '../reuse-tensor.js';

export interface LinearOptions extends ManualOptions {
  /** Generator of the initial weights; default `new Rng(0)`. */
  rng?: Rng;
  /** Standard deviation of the initial weights; default 1e-4 (the course's). */
  weightStd?: number;
}

export class LinearModule {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly backend: Backend;
  readonly dtype: DType;
  readonly params: { weight: Tensor; bias: Tensor };
  /** Filled by backward (overwritten, not accumulated). */
  readonly grads: { weight: Tensor; bias: Tensor };
  #input: Tensor | undefined;
  #out: Tensor | undefined;
  #dx: Tensor | undefined;

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    for (const [name, v] of [['inFeatures', inFeatures], ['outFeatures', outFeatures]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new ArgumentError(`LinearModule: ${name} must be a positive integer, got ${v}`);
    }
    const { backend, dtype } = resolveManualOptions(options);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.backend = backend;
    this.dtype = dtype;
    const rng = options.rng ?? new Rng(0);
    const std = options.weightStd ?? 1e-4;
    const w = dtype === 'float64' ? new Float64Array(outFeatures * inFeatures) : new Float32Array(outFeatures * inFeatures);
    for (let i = 0; i < w.length; i++) w[i] = rng.normal() * std;
    const on = { backend, dtype };
    this.params = { weight: Tensor.from(w, [outFeatures, inFeatures], on), bias: Tensor.zeros([outFeatures], on) };
    this.grads = { weight: Tensor.zeros([outFeatures, inFeatures], on), bias: Tensor.zeros([outFeatures], on) };
  }

  /** x [B, in] → out [B, out]. Keeps x for backward; the output is reused by the next call. */
  forward(x: Tensor): Tensor {
    const rows = expectMatrix('LinearModule.forward', 'input', x, this.inFeatures);
    const out = (this.#out = reuseTensor(this.#out, [rows, this.outFeatures], this.backend, this.dtype));
    getKernel('gemm', this.backend.name)(this.backend, {
      transA: false, transB: true, m: rows, n: this.outFeatures, k: this.inFeatures, alpha: 1, beta: 0,
      a: x.storage, b: this.params.weight.storage, c: out.storage,
    });
    getKernel('biasAdd', this.backend.name)(this.backend, {
      x: out.storage, bias: this.params.bias.storage, out: out.storage, rows, cols: this.outFeatures,
    });
    this.#input = x;
    return out;
  }

  /** dW and db from dout [B, out] (no dx: for a first layer, whose input needs no gradient). */
  backwardParams(dout: Tensor): void {
    const x = this.#savedInput();
    const rows = expectMatrix('LinearModule.backward', 'dout', dout, this.outFeatures);
    if (rows !== x.shape[0]) {
      throw new ArgumentError(`LinearModule.backward: dout has ${rows} rows but the last forward had ${x.shape[0]}`);
    }
    getKernel('gemm', this.backend.name)(this.backend, {
      transA: true, transB: false, m: this.outFeatures, n: this.inFeatures, k: rows, alpha: 1, beta: 0,
      a: dout.storage, b: x.storage, c: this.grads.weight.storage,
    });
    getKernel('columnSum', this.backend.name)(this.backend, {
      x: dout.storage, out: this.grads.bias.storage, rows, cols: this.outFeatures, beta: 0,
    });
  }

  /** dW, db, and returns dx [B, in] = dout·W (reused by the next call). */
  backward(dout: Tensor): Tensor {
    this.backwardParams(dout);
    const rows = dout.shape[0]!;
    const dx = (this.#dx = reuseTensor(this.#dx, [rows, this.inFeatures], this.backend, this.dtype));
    getKernel('gemm', this.backend.name)(this.backend, {
      transA: false, transB: false, m: rows, n: this.inFeatures, k: this.outFeatures, alpha: 1, beta: 0,
      a: dout.storage, b: this.params.weight.storage, c: dx.storage,
    });
    return dx;
  }

  #savedInput(): Tensor {
    if (!this.#input) throw new ArgumentError('LinearModule.backward called before forward');
    return this.#input;
  }
}
