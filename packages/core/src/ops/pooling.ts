/**
 * avgPool2d and adaptiveAvgPool2d with autograd, on NCHW tensors (PyTorch's F.avg_pool2d with
 * ceil_mode off, and F.adaptive_avg_pool2d): forward and backward run the backend's kernels.
 * (Max pooling, which keeps argmax indices for its backward, is in conv.ts.)
 */

import { record } from '../autograd/record.js';
import { ArgumentError } from '../errors.js';
import type { AdaptiveAvgPool2dGeometry, AvgPool2dGeometry } from '../kernels/conv.js';
import { getKernel } from '../kernels/registry.js';
import type { Tensor } from '../tensor.js';
import { expectNchw, outSize, pair, type Pair } from './conv.js';
import { outputLike } from './raw.js';

export interface AvgPool2dOptions {
  /** Default: the kernel size, as PyTorch. */
  stride?: Pair;
  /** Zero padding on each side, at most half the kernel (default 0). */
  padding?: Pair;
  /** Divide by the whole window, padding included (true, PyTorch's default), or by its pixels. */
  countIncludePad?: boolean;
}

/**
 * The mean over kH×kW windows of each plane of x [N, C, H, W].
 *
 * @example
 * avgPool2d(x, 2) // [N, C, 8, 8] → [N, C, 4, 4], DenseNet's transition
 */
export function avgPool2d(x: Tensor, kernelSize: Pair, options: AvgPool2dOptions = {}): Tensor {
  const op = 'avgPool2d';
  const [batch, channels, height, width] = expectNchw(op, x);
  const [kernelH, kernelW] = pair(op, 'kernelSize', kernelSize, 1);
  const [strideH, strideW] = pair(op, 'stride', options.stride ?? kernelSize, 1);
  const [padH, padW] = pair(op, 'padding', options.padding ?? 0, 0);
  const countIncludePad = options.countIncludePad ?? true;
  const geometry: AvgPool2dGeometry = { batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW, countIncludePad };
  const { backend } = x;
  const out = outputLike(x, [batch, channels, outSize(height, kernelH, strideH, padH), outSize(width, kernelW, strideW, padW)]);
  getKernel('avgPool2d', backend.name)(backend, { ...geometry, x: x.contiguous().storage, out: out.storage });
  return record(out, op, [x], (g) => {
    const dx = outputLike(x);
    getKernel('avgPool2dBackward', backend.name)(backend, { ...geometry, dout: g.contiguous().storage, dx: dx.storage });
    return [dx];
  });
}

/**
 * The mean over PyTorch's adaptive bins, to an output of [outH, outW] per plane (a number: square;
 * `null` for a side keeps the input's size, as PyTorch's None): rows
 * floor(i·H/outH) .. ceil((i+1)·H/outH), the same for columns.
 *
 * @example
 * adaptiveAvgPool2d(x, 1) // [N, C, H, W] → [N, C, 1, 1], the global average of DenseNet's head
 */
export function adaptiveAvgPool2d(x: Tensor, outputSize: number | readonly [number | null, number | null]): Tensor {
  const op = 'adaptiveAvgPool2d';
  const [batch, channels, height, width] = expectNchw(op, x);
  const [h, w] = adaptiveSize(op, outputSize);
  const [outH, outW] = [h ?? height, w ?? width];
  for (const v of [outH, outW]) {
    if (!Number.isInteger(v) || v < 1) throw new ArgumentError(`${op}: outputSize must be integers ≥ 1, got ${v}`);
  }
  const geometry: AdaptiveAvgPool2dGeometry = { batch, channels, height, width, outH, outW };
  const { backend } = x;
  const out = outputLike(x, [batch, channels, outH, outW]);
  getKernel('adaptiveAvgPool2d', backend.name)(backend, { ...geometry, x: x.contiguous().storage, out: out.storage });
  return record(out, op, [x], (g) => {
    const dx = outputLike(x);
    getKernel('adaptiveAvgPool2dBackward', backend.name)(backend, { ...geometry, dout: g.contiguous().storage, dx: dx.storage });
    return [dx];
  });
}

/** outputSize as [outH, outW] (null: the input's side); anything but a number or two is refused. */
export function adaptiveSize(op: string, outputSize: unknown): [number | null, number | null] {
  if (typeof outputSize === 'number') return [outputSize, outputSize];
  if (Array.isArray(outputSize) && outputSize.length === 2) return outputSize as [number | null, number | null];
  const shown = Array.isArray(outputSize) ? `[${outputSize.join(', ')}]` : typeof outputSize === 'string' ? `'${outputSize}'` : String(outputSize);
  throw new ArgumentError(`${op}: outputSize must be an integer ≥ 1 or a pair [height, width] of them (null keeps a side), got ${shown}`);
}
