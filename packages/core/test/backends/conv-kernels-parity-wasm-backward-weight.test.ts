/** Convolution and pooling kernels on wasm against js in float64, the weight and bias gradients (the suite: conv-parity.ts). */

import { getBackend } from '../../src/index.js';
import { describeConvParity } from './conv-parity.js';

describeConvParity('wasm', () => getBackend('wasm'), 'backward-weight');
