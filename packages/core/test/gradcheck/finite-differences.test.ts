/** The finite-difference utilities on functions whose gradients are known in closed form. */

import { describe, expect, it } from 'vitest';
import { gradcheck } from '../../src/index.js';

describe('numericalGradient', () => {
  it('matches the gradient of a known scalar function', () => {
    const x = Float64Array.of(0.5, -1.2, 2);
    const f = () => x[0]! ** 3 + Math.sin(x[1]!) + x[0]! * x[2]!;
    const numeric = gradcheck.numericalGradient(f, x);
    const exact = [3 * 0.5 ** 2 + 2, Math.cos(-1.2), 0.5];
    expect(gradcheck.relativeError(numeric, exact)).toBeLessThan(1e-8);
    expect(Array.from(x)).toEqual([0.5, -1.2, 2]); // restored
  });

  it('gives Σ f(x)·dout for an array function', () => {
    const x = Float64Array.of(1, 2);
    const dout = [3, -1, 0.5];
    const f = () => [x[0]! * x[1]!, x[0]! ** 2, Math.exp(x[1]!)];
    // d/dx0 = 3·x1 − 1·2x0 = 4; d/dx1 = 3·x0 + 0.5·e^x1
    const numeric = gradcheck.numericalGradientArray(f, x, dout);
    expect(gradcheck.relativeError(numeric, [4, 3 + 0.5 * Math.exp(2)])).toBeLessThan(1e-8);
  });
});

describe('relativeError and compareGradients', () => {
  it('is the course rel_error and names the worst element', () => {
    expect(gradcheck.relativeError([1, 2], [1, 2])).toBe(0);
    expect(gradcheck.relativeError([1, 0], [1.1, 0])).toBeCloseTo(0.1 / 2.1, 12);
    const report = gradcheck.compareGradients([1, 2, 3], [1, 2.5, 3]);
    expect(report.worstIndex).toBe(1);
    expect(report.relativeError).toBeCloseTo(0.5 / 4.5, 12);
  });

  it('refuses arrays of different lengths', () => {
    expect(() => gradcheck.relativeError([1], [1, 2])).toThrow(/lengths 1 and 2 differ/);
  });
});
