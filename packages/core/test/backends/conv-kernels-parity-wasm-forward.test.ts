/** Convolution and pooling kernels on wasm against js in float64, the forward passes (the suite: conv-parity.ts). */

import { getBackend } from '../../src/index.js';
import { describeConvParity } from './conv-parity.js';

describeConvParity('wasm', () => getBackend('wasm'), 'forward');
