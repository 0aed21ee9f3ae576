/**
 * Registers the autograd ops' kernels (kernels/elementwise.ts, layout.ts, loss.ts) on the js backend: each checks its
 * arguments exactly as dlp-kernels does (same messages, same order where only one is wrong),
 * then runs the plain loops of tensor-ops.ts.
 */

import type { TypedArray } from '../../dtype.js';
import { ArgumentError } from '../../errors.js';
import {
  checkCounts,
  checkIndices,
  checkLabels,
  checkMatrix,
  checkPerAxis,
  checkSameLength,
  checkSameOrSeparate,
  checkSeparate,
  checkShaped,
  checkSizes,
  checkStridedReach,
  checkTensor,
} from '../../kernels/lengths.js';
import { registerKernel } from '../../kernels/registry.js';
import type { BinaryOp, UnaryOp } from '../../kernels/elementwise.js';
import { isRowMajor } from '../../shape.js';
import type { Storage } from '../backend.js';
import type { JsStorage } from './js-backend.js';
import {
  axpyReference,
  binaryReference,
  copyReference,
  logSoftmaxBackwardReference,
  logSoftmaxReference,
  maxAlongBackwardReference,
  maxAlongReference,
  nllLossBackwardReference,
  nllLossReference,
  reduceSumReference,
  unaryBackwardReference,
  unaryReference,
} from './tensor-ops.js';

const arr = (s: Storage): TypedArray => (s as JsStorage).array;

const UNARY_OPS: readonly UnaryOp[] = ['neg', 'exp', 'log', 'sqrt', 'relu', 'tanh', 'sigmoid'];
const BINARY_OPS: readonly BinaryOp[] = ['add', 'sub', 'mul', 'div'];

/** Ops arrive from JS as strings; anything else is refused with the list of known ones. */
function checkOp(kernel: string, op: string, known: readonly string[]): void {
  if (!known.includes(op)) throw new ArgumentError(`${kernel}: op '${op}' is not one of ${known.join(', ')}`);
}

/** A strided operand: strides one per axis, each a non-negative integer, reaching only its own elements. */
function checkStridedOperand(k: string, name: string, x: Storage, strides: readonly number[], shape: readonly number[]): void {
  checkPerAxis(k, `${name}Strides`, strides.length, shape);
  checkStridedReach(k, name, x.length, `${name}Strides`, strides, shape);
}

/**
 * binary's out may be an input only when it is that very storage read row-major (each element
 * is then read before it is written); any other shared memory is refused.
 */
function checkBinaryOut(out: Storage, name: string, x: Storage, strides: readonly number[], shape: readonly number[]): void {
  const [o, i] = [arr(out), arr(x)];
  const same = o.buffer === i.buffer && o.byteOffset === i.byteOffset && o.byteLength === i.byteLength;
  if (same && !isRowMajor(shape, strides)) {
    throw new ArgumentError(
      `binary: out is ${name}, which needs ${name}Strides row-major for shape [${shape.join(',')}] but they are [${strides.join(',')}]`,
    );
  }
  checkSameOrSeparate('binary', 'out', o, name, i);
}

let registered = false;

export function registerJsTensorOpKernels(): void {
  if (registered) return;
  registered = true;

  registerKernel('unary', 'js', (_backend, { op, x, out }) => {
    checkOp('unary', op, UNARY_OPS);
    checkSameLength('unary', 'out', out.length, 'x', x.length);
    checkSameOrSeparate('unary', 'out', arr(out), 'x', arr(x));
    unaryReference(op, arr(x), arr(out));
  });

  registerKernel('unaryBackward', 'js', (_backend, { op, x, y, dout, dx }) => {
    const k = 'unaryBackward';
    checkOp(k, op, UNARY_OPS);
    checkSameLength(k, 'y', y.length, 'x', x.length);
    checkSameLength(k, 'dout', dout.length, 'x', x.length);
    checkSameLength(k, 'dx', dx.length, 'x', x.length);
    checkSeparate(k, 'dx', arr(dx), 'x', arr(x));
    checkSeparate(k, 'dx', arr(dx), 'y', arr(y));
    checkSameOrSeparate(k, 'dx', arr(dx), 'dout', arr(dout));
    unaryBackwardReference(op, arr(x), arr(y), arr(dout), arr(dx));
  });

  registerKernel('binary', 'js', (_backend, { op, shape, a, aStrides, b, bStrides, out }) => {
    const k = 'binary';
    checkCounts(k, 'shape', shape);
    checkCounts(k, 'aStrides', aStrides);
    checkCounts(k, 'bStrides', bStrides);
    checkOp(k, op, BINARY_OPS);
    checkShaped(k, 'out', shape, out.length);
    checkStridedOperand(k, 'a', a, aStrides, shape);
    checkStridedOperand(k, 'b', b, bStrides, shape);
    checkBinaryOut(out, 'a', a, aStrides, shape);
    checkBinaryOut(out, 'b', b, bStrides, shape);
    binaryReference(op, shape, arr(a), aStrides, arr(b), bStrides, arr(out));
  });

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

  registerKernel('logSoftmax', 'js', (_backend, { x, out, rows, cols }) => {
    checkSizes('logSoftmax', { rows, cols });
    checkMatrix('logSoftmax', 'x', rows, cols, x.length);
    checkMatrix('logSoftmax', 'out', rows, cols, out.length);
    checkSeparate('logSoftmax', 'out', arr(out), 'x', arr(x));
    logSoftmaxReference(arr(x), arr(out), rows, cols);
  });

  registerKernel('logSoftmaxBackward', 'js', (_backend, { y, dout, dx, rows, cols }) => {
    const k = 'logSoftmaxBackward';
    checkSizes(k, { rows, cols });
    checkMatrix(k, 'y', rows, cols, y.length);
    checkMatrix(k, 'dout', rows, cols, dout.length);
    checkMatrix(k, 'dx', rows, cols, dx.length);
    checkSeparate(k, 'dx', arr(dx), 'y', arr(y));
    checkSameOrSeparate(k, 'dx', arr(dx), 'dout', arr(dout));
    logSoftmaxBackwardReference(arr(y), arr(dout), arr(dx), rows, cols);
  });

  registerKernel('nllLoss', 'js', (_backend, { logp, labels, rows, cols }) => {
    checkSizes('nllLoss', { rows, cols });
    checkMatrix('nllLoss', 'logp', rows, cols, logp.length);
    checkLabels('nllLoss', labels, rows, cols);
    return nllLossReference(arr(logp), labels, rows, cols);
  });

  registerKernel('nllLossBackward', 'js', (_backend, { labels, rows, cols, scale, dlogp }) => {
    checkSizes('nllLossBackward', { rows, cols });
    checkMatrix('nllLossBackward', 'dlogp', rows, cols, dlogp.length);
    checkLabels('nllLossBackward', labels, rows, cols);
    nllLossBackwardReference(labels, rows, cols, scale, arr(dlogp));
  });

  registerKernel('axpy', 'js', (_backend, { x, y, alpha }) => {
    checkSameLength('axpy', 'y', y.length, 'x', x.length);
    checkSeparate('axpy', 'y', arr(y), 'x', arr(x));
    axpyReference(arr(x), arr(y), alpha);
  });
}
