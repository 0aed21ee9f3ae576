/**
 * Layout kernels on the js backend (kernels/layout.ts): strided copies, sums over axes and max
 * along an axis with its argmax, in float64 loops, with their argument checks.
 */

import type { TypedArray } from '../../dtype.js';
import { ArgumentError } from '../../errors.js';
import {
  checkCounts,
  checkIndices,
  checkMatrix,
  checkPerAxis,
  checkSeparate,
  checkShaped,
  checkSizes,
  checkStridedReach,
  checkTensor,
} from '../../kernels/lengths.js';
import { registerKernel } from '../../kernels/registry.js';
import { forEachRow, lastAxis } from './rows.js';
import { arr } from './storage.js';

/** out = x read through strides (a view made row-major; 0 broadcasting). */
export function copyReference(shape: readonly number[], x: TypedArray, strides: readonly number[], out: TypedArray): void {
  const [n, [s]] = lastAxis(shape, [strides]);
  forEachRow(shape, [strides], (start, [o]) => {
    for (let j = 0; j < n; j++) out[start + j] = x[o! + j * s!]!;
  });
}

/** out = beta·out + Σ over the axes marked true (beta = 0 ignores out's old contents, NaN included). */
export function reduceSumReference(x: TypedArray, shape: readonly number[], axes: readonly boolean[], out: TypedArray, beta: number): void {
  // Each element of x adds into out at the row-major offset of its kept axes: strides 0 on summed axes.
  const outStrides = new Array<number>(shape.length);
  let stride = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    outStrides[d] = axes[d] ? 0 : stride;
    if (!axes[d]) stride *= shape[d]!;
  }
  const sums = new Float64Array(out.length);
  const [n, [s]] = lastAxis(shape, [outStrides]);
  forEachRow(shape, [outStrides], (start, [o]) => {
    for (let j = 0; j < n; j++) sums[o! + j * s!]! += x[start + j]!;
  });
  for (let i = 0; i < out.length; i++) out[i] = beta === 0 ? sums[i]! : beta * out[i]! + sums[i]!;
}

export function maxAlongReference(x: TypedArray, outer: number, size: number, inner: number, out: TypedArray, indices: Int32Array): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i;
      let best = x[base]!;
      let at = 0;
      // Strictly greater keeps the first maximum; the first NaN wins and stays (NaN > v is false).
      for (let s = 1; s < size && best === best; s++) {
        const v = x[base + s * inner]!;
        if (v > best || v !== v) [best, at] = [v, s];
      }
      out[o * inner + i] = best;
      indices[o * inner + i] = at;
    }
  }
}

export function maxAlongBackwardReference(
  dout: TypedArray,
  indices: Int32Array,
  outer: number,
  size: number,
  inner: number,
  dx: TypedArray,
): void {
  dx.fill(0);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) dx[(o * size + indices[o * inner + i]!) * inner + i]! += dout[o * inner + i]!;
  }
}

/** Each kernel checks its arguments exactly as dlp-kernels does (same messages, same order where only one is wrong). */
export function registerJsLayoutKernels(): void {
  registerKernel('copy', 'js', (_backend, { shape, x, strides, out }) => {
    const k = 'copy';
    checkCounts(k, 'shape', shape);
    checkCounts(k, 'strides', strides);
    checkShaped(k, 'out', shape, out.length);
    checkPerAxis(k, 'strides', strides.length, shape);
    checkStridedReach(k, 'x', x.length, 'strides', strides, shape);
    checkSeparate(k, 'out', arr(out), 'x', arr(x));
    copyReference(shape, arr(x), strides, arr(out));
  });

  registerKernel('reduceSum', 'js', (_backend, { x, shape, axes, out, beta }) => {
    const k = 'reduceSum';
    checkCounts(k, 'shape', shape);
    checkPerAxis(k, 'axes', axes.length, shape);
    checkShaped(k, 'x', shape, x.length);
    checkShaped(k, 'out', shape.filter((_d, i) => !axes[i]), out.length);
    checkSeparate(k, 'out', arr(out), 'x', arr(x));
    reduceSumReference(arr(x), shape, axes, arr(out), beta);
  });

  registerKernel('maxAlong', 'js', (_backend, { x, outer, size, inner, out, indices }) => {
    const k = 'maxAlong';
    checkSizes(k, { outer, size, inner });
    checkTensor(k, 'x', [outer, size, inner], x.length);
    checkMatrix(k, 'out', outer, inner, out.length);
    checkMatrix(k, 'indices', outer, inner, indices.length);
    if (size === 0 && outer * inner > 0) throw new ArgumentError(`${k}: size is 0, so there is no maximum to take`);
    checkSeparate(k, 'out', arr(out), 'x', arr(x));
    maxAlongReference(arr(x), outer, size, inner, arr(out), indices);
  });

  registerKernel('maxAlongBackward', 'js', (_backend, { dout, indices, outer, size, inner, dx }) => {
    const k = 'maxAlongBackward';
    checkSizes(k, { outer, size, inner });
    checkMatrix(k, 'dout', outer, inner, dout.length);
    checkMatrix(k, 'indices', outer, inner, indices.length);
    checkTensor(k, 'dx', [outer, size, inner], dx.length);
    checkIndices(k, 'indices', indices, size);
    checkSeparate(k, 'dx', arr(dx), 'dout', arr(dout));
    maxAlongBackwardReference(arr(dout), indices, outer, size, inner, arr(dx));
  });
}
