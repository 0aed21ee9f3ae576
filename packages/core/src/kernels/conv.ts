/**
 * Argument shapes of the convolution and pooling kernels (max, average, adaptive average), on
 * NCHW tensors (row-major [batch, channels, height, width]). Output sizes follow PyTorch:
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

/**
 * The geometry of a 2-D average pooling (PyTorch's AvgPool2d, ceil_mode off): as max pooling's,
 * and what a window's sum is divided by: kernelH·kernelW, the padding counted as zeros
 * (countIncludePad, PyTorch's default), or the pixels of the window inside the plane.
 */
export interface AvgPool2dGeometry extends MaxPool2dGeometry {
  countIncludePad: boolean;
}

/** out [batch, channels, outH, outW] = the mean of each window. */
export interface AvgPool2dArgs extends AvgPool2dGeometry {
  x: Storage;
  out: Storage;
}

/** dx = each output's dout / divisor spread over its window (dx overwritten). */
export interface AvgPool2dBackwardArgs extends AvgPool2dGeometry {
  dout: Storage;
  dx: Storage;
}

/**
 * The geometry of a 2-D adaptive average pooling (PyTorch's AdaptiveAvgPool2d): output
 * [batch, channels, outH, outW], row bin y = floor(y·height/outH) .. ceil((y+1)·height/outH),
 * the same for columns.
 */
export interface AdaptiveAvgPool2dGeometry {
  batch: number;
  channels: number;
  height: number;
  width: number;
  outH: number;
  outW: number;
}

/** out = the mean of each bin. */
export interface AdaptiveAvgPool2dArgs extends AdaptiveAvgPool2dGeometry {
  x: Storage;
  out: Storage;
}

/** dx = each output's dout / bin size spread over its bin (dx overwritten). */
export interface AdaptiveAvgPool2dBackwardArgs extends AdaptiveAvgPool2dGeometry {
  dout: Storage;
  dx: Storage;
}

/** The signatures of this concern's kernels (KernelSignatures in registry.ts gathers every concern's). */
export interface ConvKernels {
  conv2d(backend: Backend, args: Conv2dArgs): void;
  conv2dBackwardInput(backend: Backend, args: Conv2dBackwardInputArgs): void;
  conv2dBackwardWeight(backend: Backend, args: Conv2dBackwardWeightArgs): void;
  maxPool2d(backend: Backend, args: MaxPool2dArgs): void;
  maxPool2dBackward(backend: Backend, args: MaxPool2dBackwardArgs): void;
  avgPool2d(backend: Backend, args: AvgPool2dArgs): void;
  avgPool2dBackward(backend: Backend, args: AvgPool2dBackwardArgs): void;
  adaptiveAvgPool2d(backend: Backend, args: AdaptiveAvgPool2dArgs): void;
  adaptiveAvgPool2dBackward(backend: Backend, args: AdaptiveAvgPool2dBackwardArgs): void;
}

export const CONV_KERNELS = kernelNames<ConvKernels>({
  conv2d: true,
  conv2dBackwardInput: true,
  conv2dBackwardWeight: true,
  maxPool2d: true,
  maxPool2dBackward: true,
  avgPool2d: true,
  avgPool2dBackward: true,
  adaptiveAvgPool2d: true,
  adaptiveAvgPool2dBackward: true,
});
