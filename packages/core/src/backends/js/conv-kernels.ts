/**
 * Registers the js backend's convolution and max-pooling kernels: each checks its arguments in
 * the order and words of dlp-kernels (`conv/mod.rs`, `max_pool.rs`), then runs the float64 loops of
 * conv.ts.
 */

import type { TypedArray } from '../../dtype.js';
import { ArgumentError } from '../../errors.js';
import type { Conv2dArgs, Conv2dBackwardInputArgs, Conv2dBackwardWeightArgs, Conv2dGeometry, MaxPool2dArgs, MaxPool2dBackwardArgs, MaxPool2dGeometry } from '../../kernels/conv.js';
import { checkAllSeparate, checkIndices, checkSizes, checkTensor, checkVector } from '../../kernels/lengths.js';
import { registerKernel } from '../../kernels/registry.js';
import type { Storage } from '../backend.js';
import {
  conv2dBackwardInputReference,
  conv2dBackwardWeightReference,
  conv2dReference,
  maxPool2dBackwardReference,
  maxPool2dReference,
  outputSize,
} from './conv.js';
import type { JsStorage } from './js-backend.js';
import { onArrays } from './norm-optim-kernels.js';

const arr = (s: Storage | undefined): TypedArray | undefined => s && (s as JsStorage).array;

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

function checkConv2d(a: Conv2dArgs): void {
  const k = 'conv2d';
  checkConvSizes(k, a);
  checkWindow(k, a);
  checkTensor(k, 'x', xDims(a), a.x.length);
  checkTensor(k, 'weight', weightDims(a), a.weight.length);
  if (a.bias) checkVector(k, 'bias', a.outChannels, 'channels', a.bias.length);
  checkTensor(k, 'out', outDims(a), a.out.length);
  checkAllSeparate(k, [['out', arr(a.out)]], [['x', arr(a.x)], ['weight', arr(a.weight)], ['bias', arr(a.bias)]]);
}

function checkConv2dBackwardInput(a: Conv2dBackwardInputArgs): void {
  const k = 'conv2dBackwardInput';
  checkConvSizes(k, a);
  checkWindow(k, a);
  checkTensor(k, 'dout', outDims(a), a.dout.length);
  checkTensor(k, 'weight', weightDims(a), a.weight.length);
  checkTensor(k, 'dx', xDims(a), a.dx.length);
  checkAllSeparate(k, [['dx', arr(a.dx)]], [['dout', arr(a.dout)], ['weight', arr(a.weight)]]);
}

function checkConv2dBackwardWeight(a: Conv2dBackwardWeightArgs): void {
  const k = 'conv2dBackwardWeight';
  checkConvSizes(k, a);
  checkWindow(k, a);
  checkTensor(k, 'x', xDims(a), a.x.length);
  checkTensor(k, 'dout', outDims(a), a.dout.length);
  checkTensor(k, 'dweight', weightDims(a), a.dweight.length);
  if (a.dbias) checkVector(k, 'dbias', a.outChannels, 'channels', a.dbias.length);
  checkAllSeparate(k, [['dweight', arr(a.dweight)], ['dbias', arr(a.dbias)]], [['x', arr(a.x)], ['dout', arr(a.dout)]]);
}

/** As a convolution's window, the plane non-empty, and padding at most half the kernel (max_pool.rs). */
function checkPoolWindow(kernel: string, g: MaxPool2dGeometry): void {
  checkPoolSizes(kernel, g);
  checkWindow(kernel, g);
  if (g.height === 0 || g.width === 0) {
    throw new ArgumentError(`${kernel}: the input plane is ${g.height}x${g.width}; a window needs at least one pixel`);
  }
  for (const [axis, pad, k] of [['H', g.padH, g.kernelH], ['W', g.padW, g.kernelW]] as const) {
    if (2 * pad > k) throw new ArgumentError(`${kernel}: pad${axis} ${pad} should be at most half of kernel${axis} ${k}, as in PyTorch`);
  }
}

const planeDims = (g: MaxPool2dGeometry) => [g.batch, g.channels, g.height, g.width];
const pooledDims = (g: MaxPool2dGeometry) => [g.batch, g.channels, ...outputSize(g)];

function checkMaxPool2d(a: MaxPool2dArgs): void {
  const k = 'maxPool2d';
  checkPoolWindow(k, a);
  checkTensor(k, 'x', planeDims(a), a.x.length);
  checkTensor(k, 'out', pooledDims(a), a.out.length);
  checkTensor(k, 'indices', pooledDims(a), a.indices.length);
  checkAllSeparate(k, [['out', arr(a.out)]], [['x', arr(a.x)]]);
}

function checkMaxPool2dBackward(a: MaxPool2dBackwardArgs): void {
  const k = 'maxPool2dBackward';
  checkPoolWindow(k, a);
  checkTensor(k, 'dout', pooledDims(a), a.dout.length);
  checkTensor(k, 'indices', pooledDims(a), a.indices.length);
  checkTensor(k, 'dx', planeDims(a), a.dx.length);
  checkIndices(k, 'indices', a.indices, a.height * a.width);
  checkAllSeparate(k, [['dx', arr(a.dx)]], [['dout', arr(a.dout)]]);
}

let registered = false;

export function registerJsConvKernels(): void {
  if (registered) return;
  registered = true;
  registerKernel('conv2d', 'js', (_backend, args) => {
    checkConv2d(args);
    conv2dReference(onArrays(args));
  });
  registerKernel('conv2dBackwardInput', 'js', (_backend, args) => {
    checkConv2dBackwardInput(args);
    conv2dBackwardInputReference(onArrays(args));
  });
  registerKernel('conv2dBackwardWeight', 'js', (_backend, args) => {
    checkConv2dBackwardWeight(args);
    conv2dBackwardWeightReference(onArrays(args));
  });
  registerKernel('maxPool2d', 'js', (_backend, args) => {
    checkMaxPool2d(args);
    maxPool2dReference(onArrays(args));
  });
  registerKernel('maxPool2dBackward', 'js', (_backend, args) => {
    checkMaxPool2dBackward(args);
    maxPool2dBackwardReference(onArrays(args));
  });
}
