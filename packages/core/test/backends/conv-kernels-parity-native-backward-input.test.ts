/** Convolution and pooling kernels on native against js in float64, the input gradients (and max-pool's backward) (the suite: conv-parity.ts). */

import { getBackend } from '../../src/index.js';
import { describeConvParity } from './conv-parity.js';

describeConvParity('native', () => getBackend('native'), 'backward-input');
