/**
 * Elementwise ops with autograd: add/sub/mul/div with broadcasting (numbers allowed on either
 * side), and functions of one tensor (neg, exp, log, sqrt, relu, tanh, sigmoid, elu). Forward
 * and backward both run on the tensors' backend's kernels.
 */

import { record } from '../autograd/record.js';
import { ArgumentError } from '../errors.js';
import { getKernel } from '../kernels/registry.js';
import type { BinaryOp, UnaryOp } from '../kernels/elementwise.js';
import { Tensor } from '../tensor.js';
import { broadcastShapes, broadcastStrides } from './broadcast.js';
import { asTensor, checkSameBackendAndDType, expectTensor } from './operands.js';
import { outputLike } from './raw.js';
import { sumTo } from './sum-to.js';

/** out = a op b without recording (broadcast; views read through their strides). */
export function binaryRaw(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  checkSameBackendAndDType(op, [a, b]);
  const shape = broadcastShapes(op, a.shape, b.shape);
  const out = outputLike(a, shape);
  getKernel('binary', a.backend.name)(a.backend, {
    op,
    shape,
    a: a.storage,
    aStrides: broadcastStrides(a.shape, a.strides, shape),
    b: b.storage,
    bStrides: broadcastStrides(b.shape, b.strides, shape),
    out: out.storage,
  });
  return out;
}

function binary(op: BinaryOp, left: Tensor | number, right: Tensor | number): Tensor {
  if (!(left instanceof Tensor) && !(right instanceof Tensor)) {
    throw new ArgumentError(`${op}: at least one operand must be a tensor`);
  }
  const a = left instanceof Tensor ? left : asTensor(left, right as Tensor);
  const b = asTensor(right, a);
  const out = binaryRaw(op, a, b);
  return record(out, op, [a, b], (g, [needA, needB]) => {
    switch (op) {
      case 'add':
        return [needA ? sumTo(g, a.shape) : undefined, needB ? sumTo(g, b.shape) : undefined];
      case 'sub':
        return [needA ? sumTo(g, a.shape) : undefined, needB ? sumTo(unaryRaw('neg', g), b.shape) : undefined];
      case 'mul':
        return [needA ? sumTo(binaryRaw('mul', g, b), a.shape) : undefined, needB ? sumTo(binaryRaw('mul', g, a), b.shape) : undefined];
      case 'div':
        return [
          needA ? sumTo(binaryRaw('div', g, b), a.shape) : undefined,
          // d(a/b)/db = −a/b² = −out/b
          needB ? sumTo(unaryRaw('neg', binaryRaw('div', binaryRaw('mul', g, out), b)), b.shape) : undefined,
        ];
    }
  });
}

/** a + b, broadcasting. @example add(x, bias) */
export const add = (a: Tensor | number, b: Tensor | number): Tensor => binary('add', a, b);
/** a − b, broadcasting. */
export const sub = (a: Tensor | number, b: Tensor | number): Tensor => binary('sub', a, b);
/** a · b elementwise, broadcasting. */
export const mul = (a: Tensor | number, b: Tensor | number): Tensor => binary('mul', a, b);
/** a / b elementwise, broadcasting. */
export const div = (a: Tensor | number, b: Tensor | number): Tensor => binary('div', a, b);

/** op(x) without recording, into a new row-major tensor. */
export function unaryRaw(op: UnaryOp, x: Tensor): Tensor {
  const input = x.isContiguous() ? x : x.contiguous();
  const out = outputLike(input);
  getKernel('unary', x.backend.name)(x.backend, { op, x: input.storage, out: out.storage });
  return out;
}

function unary(op: UnaryOp, x: Tensor): Tensor {
  expectTensor(op, 'x', x);
  const input = x.contiguous();
  const out = unaryRaw(op, input);
  return record(out, op, [input], (g) => {
    const dout = g.isContiguous() ? g : g.contiguous();
    const dx = outputLike(input);
    getKernel('unaryBackward', x.backend.name)(x.backend, { op, x: input.storage, y: out.storage, dout: dout.storage, dx: dx.storage });
    return [dx];
  });
}

export const neg = (x: Tensor): Tensor => unary('neg', x);
export const exp = (x: Tensor): Tensor => unary('exp', x);
export const log = (x: Tensor): Tensor => unary('log', x);
export const sqrt = (x: Tensor): Tensor => unary('sqrt', x);
export const relu = (x: Tensor): Tensor => unary('relu', x);
export const tanh = (x: Tensor): Tensor => unary('tanh', x);
export const sigmoid = (x: Tensor): Tensor => unary('sigmoid', x);

/** ELU: x > 0 ? x : alpha·(eˣ − 1). */
export function elu(x: Tensor, alpha = 1): Tensor {
  expectTensor('elu', 'x', x);
  const input = x.contiguous();
  const out = outputLike(input);
  getKernel('elu', x.backend.name)(x.backend, { x: input.storage, out: out.storage, alpha });
  return record(out, 'elu', [input], (g) => {
    const dout = g.contiguous();
    const dx = outputLike(input);
    getKernel('eluBackward', x.backend.name)(x.backend, { x: input.storage, dout: dout.storage, dx: dx.storage, alpha });
    return [dx];
  });
}

