/**
 * The slice copies concatenation is made of, on the js backend (kernels/layout.ts): plain loops
 * over [outer, total, inner], with the checks of `layout/slice.rs` in its order and words.
 */

import { ArgumentError } from '../../errors.js';
import type { CopyIntoSliceArgs, CopySliceArgs, SliceGeometry } from '../../kernels/layout.js';
import { checkAllSeparate, checkSizes, checkTensor } from '../../kernels/lengths.js';
import { arr, registerOnArrays, type OnArrays } from './storage.js';

/** out[o][offset + s][i] = x[o][s][i]; nothing else of out written. */
export function copyIntoSliceReference(a: OnArrays<CopyIntoSliceArgs>): void {
  const { x, out, outer, total, inner, offset, size } = a;
  for (let o = 0; o < outer; o++) {
    for (let s = 0; s < size; s++) {
      for (let i = 0; i < inner; i++) out[(o * total + offset + s) * inner + i] = x[(o * size + s) * inner + i]!;
    }
  }
}

/** out[o][s][i] = x[o][offset + s][i]. */
export function copySliceReference(a: OnArrays<CopySliceArgs>): void {
  const { x, out, outer, total, inner, offset, size } = a;
  for (let o = 0; o < outer; o++) {
    for (let s = 0; s < size; s++) {
      for (let i = 0; i < inner; i++) out[(o * size + s) * inner + i] = x[(o * total + offset + s) * inner + i]!;
    }
  }
}

/** The sizes in the contract's order, then the slice within its axis. */
function checkSlice(kernel: string, g: SliceGeometry): void {
  const { outer, total, inner, offset, size } = g;
  checkSizes(kernel, { outer, total, inner, offset, size });
  if (offset + size > total) {
    throw new ArgumentError(`${kernel}: the slice at offset ${offset} of size ${size} ends past the axis of ${total}`);
  }
}

function checkCopyIntoSlice(a: CopyIntoSliceArgs): void {
  const k = 'copyIntoSlice';
  checkSlice(k, a);
  checkTensor(k, 'x', [a.outer, a.size, a.inner], a.x.length);
  checkTensor(k, 'out', [a.outer, a.total, a.inner], a.out.length);
  checkAllSeparate(k, [['out', arr(a.out)]], [['x', arr(a.x)]]);
}

function checkCopySlice(a: CopySliceArgs): void {
  const k = 'copySlice';
  checkSlice(k, a);
  checkTensor(k, 'x', [a.outer, a.total, a.inner], a.x.length);
  checkTensor(k, 'out', [a.outer, a.size, a.inner], a.out.length);
  checkAllSeparate(k, [['out', arr(a.out)]], [['x', arr(a.x)]]);
}

export function registerJsSliceKernels(): void {
  registerOnArrays('copyIntoSlice', checkCopyIntoSlice, copyIntoSliceReference);
  registerOnArrays('copySlice', checkCopySlice, copySliceReference);
}
