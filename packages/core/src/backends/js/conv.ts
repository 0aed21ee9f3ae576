/**
 * Convolution and max-pooling kernels on the js backend (kernels/conv.ts): direct float64 loops on
 * NCHW tensors, with their argument checks in the order and words of `conv/mod.rs` and `max_pool.rs`.
 */

import { ArgumentError } from '../../errors.js';
import type { Conv2dArgs, Conv2dBackwardInputArgs, Conv2dBackwardWeightArgs, Conv2dGeometry, MaxPool2dArgs, MaxPool2dBackwardArgs, MaxPool2dGeometry } from '../../kernels/conv.js';
import { checkAllSeparate, checkIndices, checkSizes, checkTensor, checkVector } from '../../kernels/lengths.js';
import { arr, registerOnArrays, type OnArrays } from './storage.js';

// Sums in float64 (rounded once when stored): the oracle the fast backends are compared with.
// Direct loops, no im2col: every (image, output channel, position, input channel, tap) once.

/** Output height and width, PyTorch's rule: ⌊(size + 2·pad − kernel)/stride⌋ + 1. */
export function outputSize(g: Conv2dGeometry | MaxPool2dGeometry): [number, number] {
  return [
    Math.floor((g.height + 2 * g.padH - g.kernelH) / g.strideH) + 1,
    Math.floor((g.width + 2 * g.padW - g.kernelW) / g.strideW) + 1,
  ];
}

/** Every tap whose input pixel is not padding: the out, x and weight element it joins. */
function forEachTap(g: Conv2dGeometry, visit: (out: number, x: number, weight: number) => void): void {
  const [oh, ow] = outputSize(g);
  const { inChannels: C, height: H, width: W, kernelH: KH, kernelW: KW } = g;
  for (let n = 0; n < g.batch; n++) {
    for (let oc = 0; oc < g.outChannels; oc++) {
      for (let y = 0; y < oh; y++) {
        for (let xo = 0; xo < ow; xo++) {
          const out = ((n * g.outChannels + oc) * oh + y) * ow + xo;
          for (let c = 0; c < C; c++) {
            for (let ki = 0; ki < KH; ki++) {
              const ih = y * g.strideH + ki - g.padH;
              if (ih < 0 || ih >= H) continue;
              for (let kj = 0; kj < KW; kj++) {
                const iw = xo * g.strideW + kj - g.padW;
                if (iw < 0 || iw >= W) continue;
                visit(out, ((n * C + c) * H + ih) * W + iw, ((oc * C + c) * KH + ki) * KW + kj);
              }
            }
          }
        }
      }
    }
  }
}

/** Elements per output channel plane. */
const positions = (g: Conv2dGeometry): number => outputSize(g).reduce((a, b) => a * b, 1);

export function conv2dReference(a: OnArrays<Conv2dArgs>): void {
  const { x, weight, bias, out } = a;
  const per = positions(a);
  const sums = Float64Array.from(out, (_, i) => (bias ? bias[Math.floor(i / per) % a.outChannels]! : 0));
  forEachTap(a, (o, xi, wi) => (sums[o]! += x[xi]! * weight[wi]!));
  out.set(sums);
}

export function conv2dBackwardInputReference(a: OnArrays<Conv2dBackwardInputArgs>): void {
  const { dout, weight, dx } = a;
  const sums = new Float64Array(dx.length);
  forEachTap(a, (o, xi, wi) => (sums[xi]! += dout[o]! * weight[wi]!));
  dx.set(sums);
}

export function conv2dBackwardWeightReference(a: OnArrays<Conv2dBackwardWeightArgs>): void {
  const { x, dout, dweight, dbias } = a;
  const sums = new Float64Array(dweight.length);
  forEachTap(a, (o, xi, wi) => (sums[wi]! += dout[o]! * x[xi]!));
  dweight.set(sums);
  if (dbias) {
    const per = positions(a);
    const biasSums = new Float64Array(a.outChannels);
    dout.forEach((d, i) => (biasSums[Math.floor(i / per) % a.outChannels]! += d));
    dbias.set(biasSums);
  }
}

/** Max over each window clipped to the plane; the first maximum's h·width + w, a NaN winning (the first one). */
export function maxPool2dReference(a: OnArrays<MaxPool2dArgs>): void {
  const { x, out, indices, height: H, width: W } = a;
  const [oh, ow] = outputSize(a);
  for (let p = 0; p < a.batch * a.channels; p++) {
    for (let y = 0; y < oh; y++) {
      const h0 = Math.max(y * a.strideH - a.padH, 0);
      const h1 = Math.min(y * a.strideH - a.padH + a.kernelH, H);
      for (let xo = 0; xo < ow; xo++) {
        const w0 = Math.max(xo * a.strideW - a.padW, 0);
        const w1 = Math.min(xo * a.strideW - a.padW + a.kernelW, W);
        let at = h0 * W + w0;
        let best = x[p * H * W + at]!;
        for (let h = h0; h < h1; h++) {
          for (let w = w0; w < w1; w++) {
            const v = x[p * H * W + h * W + w]!;
            // Strictly greater keeps the first maximum; a NaN replaces a number, never another NaN.
            if (v > best || (v !== v && best === best)) [best, at] = [v, h * W + w];
          }
        }
        out[(p * oh + y) * ow + xo] = best;
        indices[(p * oh + y) * ow + xo] = at;
      }
    }
  }
}

export function maxPool2dBackwardReference(a: OnArrays<MaxPool2dBackwardArgs>): void {
  const { dout, indices, dx } = a;
  const per = outputSize(a).reduce((s, v) => s * v, 1);
  const plane = a.height * a.width;
  const sums = new Float64Array(dx.length);
  dout.forEach((d, i) => (sums[Math.floor(i / per) * plane + indices[i]!]! += d));
  dx.set(sums);
}

/** One axis of a sliding window, as dlp-kernels' `check_axis`. */
function checkAxis(kernel: string, axis: 'H' | 'W', dim: string, size: number, k: number, stride: number, pad: number): void {
  for (const [name, value] of [['kernel', k], ['stride', stride]] as const) {
    if (value === 0) throw new ArgumentError(`${kernel}: ${name}${axis} should be at least 1 but is 0`);
  }
  const padded = size + 2 * pad;
  if (k > padded) {
    throw new ArgumentError(`${kernel}: kernel${axis} ${k} is larger than the padded ${dim} ${padded} (${dim} ${size} + 2·pad${axis} ${pad})`);
  }
}

/** A convolution's geometry, each a size, in the Rust contract's argument order. */
function checkConvSizes(kernel: string, g: Conv2dGeometry): void {
  const { batch, inChannels, height, width, outChannels, kernelH, kernelW, strideH, strideW, padH, padW } = g;
  checkSizes(kernel, { batch, inChannels, height, width, outChannels, kernelH, kernelW, strideH, strideW, padH, padW });
}

/** A pooling's geometry, each a size, in the Rust contract's argument order. */
function checkPoolSizes(kernel: string, g: MaxPool2dGeometry): void {
  const { batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW } = g;
  checkSizes(kernel, { batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW });
}

function checkWindow(kernel: string, g: Conv2dGeometry | MaxPool2dGeometry): void {
  checkAxis(kernel, 'H', 'height', g.height, g.kernelH, g.strideH, g.padH);
  checkAxis(kernel, 'W', 'width', g.width, g.kernelW, g.strideW, g.padW);
}

const xDims = (g: Conv2dGeometry) => [g.batch, g.inChannels, g.height, g.width];
const weightDims = (g: Conv2dGeometry) => [g.outChannels, g.inChannels, g.kernelH, g.kernelW];
const outDims = (g: Conv2dGeometry) => [g.batch, g.outChannels, ...outputSize(g)];

/** A buffer's name, the dims it should hold and the buffer. */
export type Sized = [name: string, dims: number[], buffer: { readonly length: number }];

/** A convolution's geometry (its sizes, then its window), then each buffer in order against its dims. */
function checkConvArgs(kernel: string, g: Conv2dGeometry, buffers: Sized[]): void {
  checkConvSizes(kernel, g);
  checkWindow(kernel, g);
  for (const [name, dims, buffer] of buffers) checkTensor(kernel, name, dims, buffer.length);
}

function checkConv2d(a: Conv2dArgs): void {
  const k = 'conv2d';
  checkConvArgs(k, a, [['x', xDims(a), a.x], ['weight', weightDims(a), a.weight]]);
  if (a.bias) checkVector(k, 'bias', a.outChannels, 'channels', a.bias.length);
  checkTensor(k, 'out', outDims(a), a.out.length);
  checkAllSeparate(k, [['out', arr(a.out)]], [['x', arr(a.x)], ['weight', arr(a.weight)], ['bias', arr(a.bias)]]);
}

function checkConv2dBackwardInput(a: Conv2dBackwardInputArgs): void {
  const k = 'conv2dBackwardInput';
  checkConvArgs(k, a, [['dout', outDims(a), a.dout], ['weight', weightDims(a), a.weight], ['dx', xDims(a), a.dx]]);
  checkAllSeparate(k, [['dx', arr(a.dx)]], [['dout', arr(a.dout)], ['weight', arr(a.weight)]]);
}

function checkConv2dBackwardWeight(a: Conv2dBackwardWeightArgs): void {
  const k = 'conv2dBackwardWeight';
  checkConvArgs(k, a, [['x', xDims(a), a.x], ['dout', outDims(a), a.dout], ['dweight', weightDims(a), a.dweight]]);
  if (a.dbias) checkVector(k, 'dbias', a.outChannels, 'channels', a.dbias.length);
  checkAllSeparate(k, [['dweight', arr(a.dweight)], ['dbias', arr(a.dbias)]], [['x', arr(a.x)], ['dout', arr(a.dout)]]);
}

const planeDims = (g: MaxPool2dGeometry) => [g.batch, g.channels, g.height, g.width];
const pooledDims = (g: MaxPool2dGeometry) => [g.batch, g.channels, ...outputSize(g)];

/**
 * A pooling's geometry (its sizes, then as a convolution's window, the plane non-empty, and padding
 * at most half the kernel: max_pool.rs), then each buffer in order against its dims.
 */
export function checkPoolArgs(kernel: string, g: MaxPool2dGeometry, buffers: Sized[]): void {
  checkPoolSizes(kernel, g);
  checkWindow(kernel, g);
  if (g.height === 0 || g.width === 0) {
    throw new ArgumentError(`${kernel}: the input plane is ${g.height}x${g.width}; a window needs at least one pixel`);
  }
  for (const [axis, pad, k] of [['H', g.padH, g.kernelH], ['W', g.padW, g.kernelW]] as const) {
    if (2 * pad > k) throw new ArgumentError(`${kernel}: pad${axis} ${pad} should be at most half of kernel${axis} ${k}, as in PyTorch`);
  }
  for (const [name, dims, buffer] of buffers) checkTensor(kernel, name, dims, buffer.length);
}

function checkMaxPool2d(a: MaxPool2dArgs): void {
  const k = 'maxPool2d';
  checkPoolArgs(k, a, [['x', planeDims(a), a.x], ['out', pooledDims(a), a.out], ['indices', pooledDims(a), a.indices]]);
  checkAllSeparate(k, [['out', arr(a.out)]], [['x', arr(a.x)]]);
}

function checkMaxPool2dBackward(a: MaxPool2dBackwardArgs): void {
  const k = 'maxPool2dBackward';
  checkPoolArgs(k, a, [['dout', pooledDims(a), a.dout], ['indices', pooledDims(a), a.indices], ['dx', planeDims(a), a.dx]]);
  checkIndices(k, 'indices', a.indices, a.height * a.width);
  checkAllSeparate(k, [['dx', arr(a.dx)]], [['dout', arr(a.dout)]]);
}

export function registerJsConvKernels(): void {
  registerOnArrays('conv2d', checkConv2d, conv2dReference);
  registerOnArrays('conv2dBackwardInput', checkConv2dBackwardInput, conv2dBackwardInputReference);
  registerOnArrays('conv2dBackwardWeight', checkConv2dBackwardWeight, conv2dBackwardWeightReference);
  registerOnArrays('maxPool2d', checkMaxPool2d, maxPool2dReference);
  registerOnArrays('maxPool2dBackward', checkMaxPool2dBackward, maxPool2dBackwardReference);
}
