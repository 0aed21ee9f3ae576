/**
 * nn.AvgPool2d, nn.AdaptiveAvgPool2d and ops.cat against PyTorch (fixtures/pool_cat_modules.json,
 * made by make_pool_cat_fixtures.py): the output and the gradient of sum(out·R) with respect to
 * every input, on js (float64 and float32), native and wasm.
 */

import { describe, it } from 'vitest';
import { getBackend, nn, ops, type Tensor } from '../../src/index.js';
import type { Pair } from '../../src/ops/conv.js';
import { expectCase, PARITY_TARGETS, readFixture, type FixtureCase } from '../support/fixtures.js';

const cases = readFixture<{ cases: Record<string, FixtureCase> }>('pool_cat_modules.json').cases;
const named = (op: string) => Object.entries(cases).filter(([, c]) => c.op === op);

describe.each(PARITY_TARGETS)('pooling and cat on %s (%s) match PyTorch', (backendName, dtype, tolerance) => {
  const on = { backend: getBackend(backendName), dtype };

  it.each(named('nn.AvgPool2d'))('AvgPool2d %s', (_name, c) => {
    const o = c.options as { kernelSize: Pair; stride: Pair; padding: Pair; countIncludePad: boolean };
    const pool = new nn.AvgPool2d(o.kernelSize, { stride: o.stride, padding: o.padding, countIncludePad: o.countIncludePad });
    expectCase(c, on, tolerance, ({ x }) => ({ out: pool.forward(x!) }));
  });

  it.each(named('nn.AdaptiveAvgPool2d'))('AdaptiveAvgPool2d %s', (_name, c) => {
    const { outputSize } = c.options as { outputSize: [number | null, number | null] };
    const pool = new nn.AdaptiveAvgPool2d(outputSize);
    expectCase(c, on, tolerance, ({ x }) => ({ out: pool.forward(x!) }));
  });

  it.each(named('cat'))('ops.cat %s', (_name, c) => {
    const { dim } = c.options as { dim: number };
    expectCase(c, on, tolerance, (inputs) => {
      const pieces = Object.keys(inputs).sort().map((k) => inputs[k]!) as Tensor[];
      return { out: ops.cat(pieces, dim) };
    });
  });
});
