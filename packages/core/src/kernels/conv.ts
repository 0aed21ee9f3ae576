/**
 * Argument shapes of the convolution and pooling kernels, on NCHW tensors (row-major
 * [batch, channels, height, width]). Output sizes follow PyTorch:
 * outH = floor((height + 2·padH − kernelH) / strideH) + 1, the same for the width.
 */

import type { Backend, Storage } from '../backends/backend.js';
import { kernelNames } from './names.js';

/** The geometry shared by a convolution's forward and backward kernels. */
export interface Conv2dGeometry {
  batch: number;
  inChannels: number;
  height: number;
  width: number;
  outChannels: number;
  kernelH: number;
  kernelW: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
}

/**
 * out [batch, outChannels, outH, outW] = conv(x [batch, inChannels, height, width],
 * weight [outChannels, inChannels, kernelH, kernelW]) + bias[outChannels] (absent: 0).
 * Zero padding; cross-correlation as PyTorch's Conv2d. Implementations use im2col + GEMM (a
 * 1×1 convolution with stride 1 and no padding is a plain GEMM, without im2col) and keep their
 * work buffers between calls.
 */
export interface Conv2dArgs extends Conv2dGeometry {
  x: Storage;
  weight: Storage;
  bias?: Storage;
  out: Storage;
}

/** dx [batch, inChannels, height, width] from dout [batch, outChannels, outH, outW] (GEMM + col2im). */
export interface Conv2dBackwardInputArgs extends Conv2dGeometry {
  dout: Storage;
  weight: Storage;
  dx: Storage;
}

/**
 * dweight [outChannels, inChannels, kernelH, kernelW] (and dbias [outChannels] = Σ dout over
 * batch and positions, when given) from x and dout; both overwritten.
 */
export interface Conv2dBackwardWeightArgs extends Conv2dGeometry {
  x: Storage;
  dout: Storage;
  dweight: Storage;
  dbias?: Storage;
}

/** The geometry of a 2-D max pooling (square or not), PyTorch's MaxPool2d with implicit −∞ padding. */
export interface MaxPool2dGeometry {
  batch: number;
  channels: number;
  height: number;
  width: number;
  kernelH: number;
  kernelW: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
}

/**
 * out [batch, channels, outH, outW] = max over each window; indices (same length as out, host
 * memory) = the flat position h·width + w within its input plane of the maximum (first one on
 * ties; NaN wins, as in PyTorch).
 */
export interface MaxPool2dArgs extends MaxPool2dGeometry {
  x: Storage;
  out: Storage;
  indices: Int32Array;
}

/** dx = 0, then dx[plane][indices[i]] += dout[i] for every output element i. */
export interface MaxPool2dBackwardArgs extends MaxPool2dGeometry {
  dout: Storage;
  indices: Int32Array;
  dx: Storage;
}

/** The signatures of this concern's kernels (KernelSignatures in registry.ts gathers every concern's). */
export interface ConvKernels {
  conv2d(backend: Backend, args: Conv2dArgs): void;
  conv2dBackwardInput(backend: Backend, args: Conv2dBackwardInputArgs): void;
  conv2dBackwardWeight(backend: Backend, args: Conv2dBackwardWeightArgs): void;
  maxPool2d(backend: Backend, args: MaxPool2dArgs): void;
  maxPool2dBackward(backend: Backend, args: MaxPool2dBackwardArgs): void;
}

export const CONV_KERNELS = kernelNames<ConvKernels>({ conv2d: true, conv2dBackwardInput: true, conv2dBackwardWeight: true, maxPool2d: true, maxPool2dBackward: true });
