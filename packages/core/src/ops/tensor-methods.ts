/**
 * The differentiable ops as Tensor methods too (`x.matmul(w).add(b).relu()`), as PyTorch users
 * expect. Declared on Tensor by module augmentation and installed when this module loads
 * (index.ts and browser.ts import it).
 */

import { Tensor } from '../tensor.js';
import { add, div, elu, exp, log, mul, neg, relu, sigmoid, sqrt, sub, tanh } from './elementwise.js';
import { matmul } from './matmul.js';
import { max, mean, sum, variance, type MaxResult, type ReduceOptions, type VarOptions } from './reduce.js';

declare module '../tensor.js' {
  interface Tensor {
    add(other: Tensor | number): Tensor;
    sub(other: Tensor | number): Tensor;
    mul(other: Tensor | number): Tensor;
    div(other: Tensor | number): Tensor;
    neg(): Tensor;
    exp(): Tensor;
    log(): Tensor;
    sqrt(): Tensor;
    relu(): Tensor;
    tanh(): Tensor;
    sigmoid(): Tensor;
    elu(alpha?: number): Tensor;
    matmul(other: Tensor): Tensor;
    sum(dims?: number | readonly number[], options?: ReduceOptions): Tensor;
    mean(dims?: number | readonly number[], options?: ReduceOptions): Tensor;
    var(dims?: number | readonly number[], options?: VarOptions): Tensor;
    max(dim: number, options?: ReduceOptions): MaxResult;
  }
}

const methods: Partial<Record<keyof Tensor, (this: Tensor, ...args: never[]) => unknown>> = {
  add(this: Tensor, other: Tensor | number) { return add(this, other); },
  sub(this: Tensor, other: Tensor | number) { return sub(this, other); },
  mul(this: Tensor, other: Tensor | number) { return mul(this, other); },
  div(this: Tensor, other: Tensor | number) { return div(this, other); },
  neg(this: Tensor) { return neg(this); },
  exp(this: Tensor) { return exp(this); },
  log(this: Tensor) { return log(this); },
  sqrt(this: Tensor) { return sqrt(this); },
  relu(this: Tensor) { return relu(this); },
  tanh(this: Tensor) { return tanh(this); },
  sigmoid(this: Tensor) { return sigmoid(this); },
  elu(this: Tensor, alpha?: number) { return elu(this, alpha); },
  matmul(this: Tensor, other: Tensor) { return matmul(this, other); },
  sum(this: Tensor, dims?: number | readonly number[], options?: ReduceOptions) { return sum(this, dims, options); },
  mean(this: Tensor, dims?: number | readonly number[], options?: ReduceOptions) { return mean(this, dims, options); },
  var(this: Tensor, dims?: number | readonly number[], options?: VarOptions) { return variance(this, dims, options); },
  max(this: Tensor, dim: number, options?: ReduceOptions) { return max(this, dim, options); },
};

Object.assign(Tensor.prototype, methods);
