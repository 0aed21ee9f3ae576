/** Convolution and pooling kernels on wasm scalar against js in float64, the weight and bias gradients (the suite: conv-parity.ts). */

import { loadWasmKernelsSync } from '../../src/backends/wasm/load-node.js';
import { WasmBackend } from '../../src/backends/wasm/wasm-backend.js';
import { describeConvParity } from './conv-parity.js';

describeConvParity('wasm scalar', () => new WasmBackend(loadWasmKernelsSync({ variant: 'scalar' })), 'backward-weight');
