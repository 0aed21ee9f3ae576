/** Average pooling and slice kernels on native against js in float64 (the suite: pool-slice-parity.ts). */

import { getBackend } from '../../src/index.js';
import { describePoolSliceParity } from './pool-slice-parity.js';

describePoolSliceParity('native', () => getBackend('native'));
