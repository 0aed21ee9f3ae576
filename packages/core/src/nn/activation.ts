/** Activation layers (no parameters): ELU, ReLU, Tanh, Sigmoid. */

import { elu, relu, sigmoid, tanh } from '../ops/elementwise.js';
import type { Tensor } from '../tensor.js';
import { finiteNumber } from './arguments.js';
import { Module } from './module.js';

export class ELU extends Module {
  constructor(readonly alpha = 1) {
    super();
    finiteNumber('ELU', 'alpha', alpha);
  }

  forward(x: Tensor): Tensor {
    return elu(x, this.alpha);
  }
}

export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return relu(x);
  }
}

export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return tanh(x);
  }
}

export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
}
