/** Average pooling and slice kernels on wasm scalar against js in float64 (the suite: pool-slice-parity.ts). */

import { loadWasmKernelsSync } from '../../src/backends/wasm/load-node.js';
import { WasmBackend } from '../../src/backends/wasm/wasm-backend.js';
import { describePoolSliceParity } from './pool-slice-parity.js';

describePoolSliceParity('wasm scalar', () => new WasmBackend(loadWasmKernelsSync({ variant: 'scalar' })));
