/** Sequential (children named 0, 1, …, applied in order), Flatten and Dropout. */

import { ArgumentError } from '../errors.js';
import { dropout } from '../ops/dropout.js';
import type { Rng } from '../random.js';
import type { Tensor } from '../tensor.js';
import { defaultRng } from './init.js';
import { describeValue, optionsOf } from './arguments.js';
import { Module } from './module.js';

export class Sequential extends Module {
  readonly layers: readonly Module[];

  constructor(...layers: Module[]) {
    super();
    layers.forEach((layer, i) => {
      if (!(layer instanceof Module)) {
        throw new ArgumentError(`Sequential: layer ${i} must be an nn.Module, got ${describeValue(layer)}`);
      }
    });
    this.layers = layers;
    layers.forEach((layer, i) => this.registerModule(String(i), layer));
  }

  forward(x: Tensor): Tensor {
    let out = x;
    for (const layer of this.layers) out = layer.forward(out);
    return out;
  }
}

/** [N, d1, d2, …] → [N, d1·d2·…]. */
export class Flatten extends Module {
  forward(x: Tensor): Tensor {
    return x.flatten(1);
  }
}

export class Dropout extends Module {
  readonly #rng: Rng;

  /** Zeroes each element with probability p while training (survivors scaled by 1/(1 − p)). */
  constructor(
    readonly p = 0.5,
    options: { rng?: Rng } = {},
  ) {
    super();
    if (!(typeof p === 'number' && p >= 0 && p < 1)) throw new ArgumentError(`Dropout: p must be in [0, 1), got ${describeValue(p)}`);
    this.#rng = optionsOf('Dropout', options).rng ?? defaultRng();
  }

  /** The generator the masks are drawn from (checkpoints save and restore its state). */
  get generator(): Rng {
    return this.#rng;
  }

  forward(x: Tensor): Tensor {
    return dropout(x, this.p, { training: this.training, rng: this.#rng });
  }
}
