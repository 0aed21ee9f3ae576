/**
 * Dropout: in training, each element is zeroed with probability p and the survivors scaled by
 * 1/(1 − p), so the expected output equals the input; in eval it is the identity. The mask is
 * drawn from a seeded Rng, so runs repeat.
 */

import { ArgumentError } from '../errors.js';
import type { Rng } from '../random.js';
import { Tensor } from '../tensor.js';
import { mul } from './elementwise.js';

export function dropout(x: Tensor, p: number, options: { training: boolean; rng: Rng }): Tensor {
  if (!(p >= 0 && p < 1)) throw new ArgumentError(`dropout: p must be in [0, 1), got ${p}`);
  if (!options.training || p === 0) return x;
  const keep = 1 / (1 - p);
  const mask = new (x.dtype === 'float64' ? Float64Array : Float32Array)(x.size);
  for (let i = 0; i < mask.length; i++) mask[i] = options.rng.nextFloat() < p ? 0 : keep;
  return mul(x, Tensor.from(mask, x.shape, { backend: x.backend, dtype: x.dtype }));
}
