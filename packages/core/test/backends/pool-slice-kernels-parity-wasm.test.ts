/** Average pooling and slice kernels on wasm against js in float64 (the suite: pool-slice-parity.ts). */

import { getBackend } from '../../src/index.js';
import { describePoolSliceParity } from './pool-slice-parity.js';

describePoolSliceParity('wasm', () => getBackend('wasm'));
