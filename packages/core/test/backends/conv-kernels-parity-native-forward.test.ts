/** Convolution and pooling kernels on native against js in float64, the forward passes (the suite: conv-parity.ts). */

import { getBackend } from '../../src/index.js';
import { describeConvParity } from './conv-parity.js';

describeConvParity('native', () => getBackend('native'), 'forward');
