/**
 * Average and adaptive average pooling on the js backend (kernels/conv.ts): PyTorch's loops,
 * window by window in float64, with their argument checks in the order and words of
 * `conv/avg_pool.rs` and `conv/adaptive_avg_pool.rs`.
 */

import type { TypedArray } from '../../dtype.js';
import { ArgumentError } from '../../errors.js';
import type {
  AdaptiveAvgPool2dArgs,
  AdaptiveAvgPool2dBackwardArgs,
  AdaptiveAvgPool2dGeometry,
  AvgPool2dArgs,
  AvgPool2dBackwardArgs,
  AvgPool2dGeometry,
} from '../../kernels/conv.js';
import { checkAllSeparate, checkSizes, checkTensor } from '../../kernels/lengths.js';
import { checkPoolArgs, outputSize } from './conv.js';
import { arr, registerOnArrays, type OnArrays } from './storage.js';

/** A window (or bin) of one plane: its rows h0..h1, columns w0..w1, and what its sum is divided by. */
interface Window {
  h0: number;
  h1: number;
  w0: number;
  w1: number;
  divisor: number;
}

/** Calls `visit(plane, output index within the plane, window)` for every output, in order. */
function forEachAvgWindow(g: AvgPool2dGeometry, visit: (plane: number, at: number, w: Window) => void): void {
  const [oh, ow] = outputSize(g);
  const { height: H, width: W } = g;
  for (let p = 0; p < g.batch * g.channels; p++) {
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++) {
        // As PyTorch's avg_pool2d: the window clipped to the padded plane (its size the divisor
        // with countIncludePad), then to the plane.
        const h0 = y * g.strideH - g.padH;
        const w0 = x * g.strideW - g.padW;
        const h1 = Math.min(h0 + g.kernelH, H + g.padH);
        const w1 = Math.min(w0 + g.kernelW, W + g.padW);
        const padded = (h1 - h0) * (w1 - w0);
        const clipped = { h0: Math.max(h0, 0), h1: Math.min(h1, H), w0: Math.max(w0, 0), w1: Math.min(w1, W) };
        const inside = (clipped.h1 - clipped.h0) * (clipped.w1 - clipped.w0);
        visit(p, y * ow + x, { ...clipped, divisor: g.countIncludePad ? padded : inside });
      }
    }
  }
}

/** PyTorch's adaptive bins: start = floor(i·size/out), end = ceil((i+1)·size/out). */
function forEachAdaptiveBin(g: AdaptiveAvgPool2dGeometry, visit: (plane: number, at: number, w: Window) => void): void {
  const bin = (i: number, size: number, out: number) => [Math.floor((i * size) / out), Math.ceil(((i + 1) * size) / out)] as const;
  for (let p = 0; p < g.batch * g.channels; p++) {
    for (let y = 0; y < g.outH; y++) {
      const [h0, h1] = bin(y, g.height, g.outH);
      for (let x = 0; x < g.outW; x++) {
        const [w0, w1] = bin(x, g.width, g.outW);
        visit(p, y * g.outW + x, { h0, h1, w0, w1, divisor: (h1 - h0) * (w1 - w0) });
      }
    }
  }
}

type Walk = (visit: (plane: number, at: number, w: Window) => void) => void;

/** out = Σ window / divisor, summed in float64. */
function windowMeans(walk: Walk, width: number, planeSize: number, perPlane: number, x: TypedArray, out: TypedArray): void {
  walk((p, at, w) => {
    let sum = 0;
    for (let h = w.h0; h < w.h1; h++) for (let c = w.w0; c < w.w1; c++) sum += x[p * planeSize + h * width + c]!;
    out[p * perPlane + at] = sum / w.divisor;
  });
}

/** dx = each dout / divisor spread over its window, summed in float64. */
function windowMeansBackward(walk: Walk, width: number, planeSize: number, perPlane: number, dout: TypedArray, dx: TypedArray): void {
  const sums = new Float64Array(dx.length);
  walk((p, at, w) => {
    const g = dout[p * perPlane + at]! / w.divisor;
    for (let h = w.h0; h < w.h1; h++) for (let c = w.w0; c < w.w1; c++) sums[p * planeSize + h * width + c]! += g;
  });
  dx.set(sums);
}

const perPlane = (g: AvgPool2dGeometry) => outputSize(g).reduce((a, b) => a * b, 1);

export function avgPool2dReference(a: OnArrays<AvgPool2dArgs>): void {
  windowMeans((v) => forEachAvgWindow(a, v), a.width, a.height * a.width, perPlane(a), a.x, a.out);
}

export function avgPool2dBackwardReference(a: OnArrays<AvgPool2dBackwardArgs>): void {
  windowMeansBackward((v) => forEachAvgWindow(a, v), a.width, a.height * a.width, perPlane(a), a.dout, a.dx);
}

export function adaptiveAvgPool2dReference(a: OnArrays<AdaptiveAvgPool2dArgs>): void {
  windowMeans((v) => forEachAdaptiveBin(a, v), a.width, a.height * a.width, a.outH * a.outW, a.x, a.out);
}

export function adaptiveAvgPool2dBackwardReference(a: OnArrays<AdaptiveAvgPool2dBackwardArgs>): void {
  windowMeansBackward((v) => forEachAdaptiveBin(a, v), a.width, a.height * a.width, a.outH * a.outW, a.dout, a.dx);
}

const planeDims = (g: AvgPool2dGeometry | AdaptiveAvgPool2dGeometry) => [g.batch, g.channels, g.height, g.width];
const pooledDims = (g: AvgPool2dGeometry) => [g.batch, g.channels, ...outputSize(g)];
const binnedDims = (g: AdaptiveAvgPool2dGeometry) => [g.batch, g.channels, g.outH, g.outW];

function checkAvgPool2d(a: AvgPool2dArgs): void {
  const k = 'avgPool2d';
  checkPoolArgs(k, a, [['x', planeDims(a), a.x], ['out', pooledDims(a), a.out]]);
  checkAllSeparate(k, [['out', arr(a.out)]], [['x', arr(a.x)]]);
}

function checkAvgPool2dBackward(a: AvgPool2dBackwardArgs): void {
  const k = 'avgPool2dBackward';
  checkPoolArgs(k, a, [['dout', pooledDims(a), a.dout], ['dx', planeDims(a), a.dx]]);
  checkAllSeparate(k, [['dx', arr(a.dx)]], [['dout', arr(a.dout)]]);
}

/** The sizes in the contract's order, an output of at least 1×1, a non-empty plane (adaptive_avg_pool.rs). */
function checkAdaptiveGeometry(kernel: string, g: AdaptiveAvgPool2dGeometry): void {
  const { batch, channels, height, width, outH, outW } = g;
  checkSizes(kernel, { batch, channels, height, width, outH, outW });
  for (const [name, value] of [['outH', outH], ['outW', outW]] as const) {
    if (value === 0) throw new ArgumentError(`${kernel}: ${name} should be at least 1 but is 0`);
  }
  if (height === 0 || width === 0) {
    throw new ArgumentError(`${kernel}: the input plane is ${height}x${width}; a bin needs at least one pixel`);
  }
}

function checkAdaptiveAvgPool2d(a: AdaptiveAvgPool2dArgs): void {
  const k = 'adaptiveAvgPool2d';
  checkAdaptiveGeometry(k, a);
  checkTensor(k, 'x', planeDims(a), a.x.length);
  checkTensor(k, 'out', binnedDims(a), a.out.length);
  checkAllSeparate(k, [['out', arr(a.out)]], [['x', arr(a.x)]]);
}

function checkAdaptiveAvgPool2dBackward(a: AdaptiveAvgPool2dBackwardArgs): void {
  const k = 'adaptiveAvgPool2dBackward';
  checkAdaptiveGeometry(k, a);
  checkTensor(k, 'dout', binnedDims(a), a.dout.length);
  checkTensor(k, 'dx', planeDims(a), a.dx.length);
  checkAllSeparate(k, [['dx', arr(a.dx)]], [['dout', arr(a.dout)]]);
}

export function registerJsAvgPoolKernels(): void {
  registerOnArrays('avgPool2d', checkAvgPool2d, avgPool2dReference);
  registerOnArrays('avgPool2dBackward', checkAvgPool2dBackward, avgPool2dBackwardReference);
  registerOnArrays('adaptiveAvgPool2d', checkAdaptiveAvgPool2d, adaptiveAvgPool2dReference);
  registerOnArrays('adaptiveAvgPool2dBackward', checkAdaptiveAvgPool2dBackward, adaptiveAvgPool2dBackwardReference);
}
