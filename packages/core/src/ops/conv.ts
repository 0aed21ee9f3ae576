/**
 * conv2d and maxPool2d with autograd, on NCHW tensors (PyTorch's F.conv2d and F.max_pool2d):
 * forward and both backward passes run the backend's kernels (natively im2col + GEMM, or Winograd
 * for 3×3 stride-1 padding-1 kernels).
 */

import { record } from '../autograd/record.js';
import { ArgumentError, ShapeError } from '../errors.js';
import type { Conv2dGeometry, MaxPool2dGeometry } from '../kernels/conv.js';
import { getKernel } from '../kernels/registry.js';
import { formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { checkSameBackendAndDType } from './operands.js';
import { outputLike } from './raw.js';

/** A size given as one number (both dimensions) or as [height, width]. */
export type Pair = number | readonly [number, number];

export const pair = (op: string, name: string, v: Pair, min: number): [number, number] => {
  // Anything but a number or two of them (null, a string, [2]) is named here, not left to fail
  // as a TypeError when destructured.
  const parts: readonly unknown[] | undefined = typeof v === 'number' ? [v, v] : Array.isArray(v) && v.length === 2 ? v : undefined;
  if (!parts) {
    const shown = typeof v === 'string' ? `'${v}'` : Array.isArray(v) ? `[${v.join(', ')}]` : String(v);
    throw new ArgumentError(`${op}: ${name} must be an integer ≥ ${min} or a pair [height, width] of them, got ${shown}`);
  }
  for (const x of parts) {
    if (!Number.isInteger(x) || (x as number) < min) throw new ArgumentError(`${op}: ${name} must be an integer ≥ ${min}, got ${String(x)}`);
  }
  return [parts[0] as number, parts[1] as number];
};

/** PyTorch's output size: floor((size + 2·pad − kernel)/stride) + 1. */
export const outSize = (size: number, kernel: number, stride: number, pad: number) => Math.floor((size + 2 * pad - kernel) / stride) + 1;

export function expectNchw(op: string, x: Tensor): [number, number, number, number] {
  if (x.rank !== 4) throw new ShapeError(`${op}: expects an NCHW input [batch, channels, height, width], got shape ${formatShape(x.shape)}`);
  return x.shape as [number, number, number, number];
}

export interface Conv2dOptions {
  stride?: Pair;
  padding?: Pair;
}

/** x [N, C, H, W] ⋆ weight [O, C, kH, kW] + bias [O] → [N, O, outH, outW]. */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor, options: Conv2dOptions = {}): Tensor {
  const op = 'conv2d';
  const [batch, inChannels, height, width] = expectNchw(op, x);
  checkSameBackendAndDType(op, bias ? [x, weight, bias] : [x, weight]);
  if (weight.rank !== 4 || weight.shape[1] !== inChannels) {
    throw new ShapeError(`${op}: weight of shape ${formatShape(weight.shape)} does not fit an input with ${inChannels} channels (expected [out, ${inChannels}, kH, kW])`);
  }
  const [outChannels, , kernelH, kernelW] = weight.shape as [number, number, number, number];
  if (bias && (bias.rank !== 1 || bias.shape[0] !== outChannels)) {
    throw new ShapeError(`${op}: bias of shape ${formatShape(bias.shape)} should be [${outChannels}]`);
  }
  const [strideH, strideW] = pair(op, 'stride', options.stride ?? 1, 1);
  const [padH, padW] = pair(op, 'padding', options.padding ?? 0, 0);
  const geometry: Conv2dGeometry = { batch, inChannels, height, width, outChannels, kernelH, kernelW, strideH, strideW, padH, padW };
  const input = x.contiguous();
  const w = weight.contiguous();
  const { backend } = x;
  const out = outputLike(x, [batch, outChannels, outSize(height, kernelH, strideH, padH), outSize(width, kernelW, strideW, padW)]);
  getKernel('conv2d', backend.name)(backend, { ...geometry, x: input.storage, weight: w.storage, ...(bias ? { bias: bias.contiguous().storage } : {}), out: out.storage });
  return record(out, op, bias ? [x, weight, bias] : [x, weight], (g, [needX, needW, needB]) => {
    const dout = g.contiguous();
    let dx: Tensor | undefined;
    if (needX) {
      dx = outputLike(input);
      getKernel('conv2dBackwardInput', backend.name)(backend, { ...geometry, dout: dout.storage, weight: w.storage, dx: dx.storage });
    }
    let dweight: Tensor | undefined;
    let dbias: Tensor | undefined;
    if (needW || needB) {
      const dw = outputLike(w);
      dbias = needB ? outputLike(w, [outChannels]) : undefined;
      getKernel('conv2dBackwardWeight', backend.name)(backend, {
        ...geometry, x: input.storage, dout: dout.storage, dweight: dw.storage, ...(dbias ? { dbias: dbias.storage } : {}),
      });
      dweight = needW ? dw : undefined;
    }
    return [dx, dweight, dbias];
  });
}

export interface MaxPool2dOptions {
  /** Default: the kernel size, as PyTorch. */
  stride?: Pair;
  padding?: Pair;
}

/** Max over kH×kW windows of each plane of x [N, C, H, W] (implicit −∞ padding). */
export function maxPool2d(x: Tensor, kernelSize: Pair, options: MaxPool2dOptions = {}): Tensor {
  const op = 'maxPool2d';
  const [batch, channels, height, width] = expectNchw(op, x);
  const [kernelH, kernelW] = pair(op, 'kernelSize', kernelSize, 1);
  const [strideH, strideW] = pair(op, 'stride', options.stride ?? kernelSize, 1);
  const [padH, padW] = pair(op, 'padding', options.padding ?? 0, 0);
  const geometry: MaxPool2dGeometry = { batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW };
  const input = x.contiguous();
  const { backend } = x;
  const out = outputLike(x, [batch, channels, outSize(height, kernelH, strideH, padH), outSize(width, kernelW, strideW, padW)]);
  const indices = new Int32Array(out.size);
  getKernel('maxPool2d', backend.name)(backend, { ...geometry, x: input.storage, out: out.storage, indices });
  return record(out, op, [x], (g) => {
    const dx = outputLike(input);
    getKernel('maxPool2dBackward', backend.name)(backend, { ...geometry, dout: g.contiguous().storage, indices, dx: dx.storage });
    return [dx];
  });
}
