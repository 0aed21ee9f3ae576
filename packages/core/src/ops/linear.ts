/**
 * linear(x, W, b) = x·Wᵀ + b for x [B, in], W [out, in] (PyTorch's layout), b [out]: one GEMM
 * and a bias add forward (x of any other rank, [*, in], as PyTorch's F.linear: the leading
 * dimensions are merged into B by a reshape, which autograd undoes for dx); backward dW = gᵀ·x, db = column sums of g, and dx = g·W only when x
 * needs it (the input images of a first layer do not — that skips the largest product).
 */

import { record } from '../autograd/record.js';
import { ShapeError } from '../errors.js';
import { getKernel } from '../kernels/registry.js';
import { formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { checkSameBackendAndDType } from './operands.js';
import { outputLike } from './raw.js';

export function linear(x: Tensor, weight: Tensor, bias?: Tensor): Tensor {
  checkSameBackendAndDType('linear', bias ? [x, weight, bias] : [x, weight]);
  if (weight.rank !== 2) throw new ShapeError(`linear: weight must be 2-D [out, in], got ${formatShape(weight.shape)}`);
  const [outFeatures, inFeatures] = weight.shape as [number, number];
  if (x.rank === 0 || x.shape[x.rank - 1] !== inFeatures) {
    throw new ShapeError(
      `linear: input of shape ${formatShape(x.shape)} does not fit weight ${formatShape(weight.shape)} (expected [..., ${inFeatures}]: ${inFeatures} features last)`,
    );
  }
  if (bias && (bias.rank !== 1 || bias.shape[0] !== outFeatures)) {
    throw new ShapeError(`linear: bias of shape ${formatShape(bias.shape)} does not fit weight ${formatShape(weight.shape)} (expected [${outFeatures}])`);
  }
  if (x.rank !== 2) {
    const leading = x.shape.slice(0, -1);
    const rows = leading.reduce((a, b) => a * b, 1);
    return linearRows(x.reshape([rows, inFeatures]), weight, bias).reshape([...leading, outFeatures]);
  }
  return linearRows(x, weight, bias);
}

/** linear on a checked [B, in] input. */
function linearRows(x: Tensor, weight: Tensor, bias: Tensor | undefined): Tensor {
  const [outFeatures, inFeatures] = weight.shape as [number, number];
  const input = x.contiguous();
  const w = weight.contiguous();
  const rows = x.shape[0]!;
  const { backend } = x;
  const gemm = getKernel('gemm', backend.name);
  const out = outputLike(x, [rows, outFeatures]);
  gemm(backend, { transA: false, transB: true, m: rows, n: outFeatures, k: inFeatures, alpha: 1, beta: 0, a: input.storage, b: w.storage, c: out.storage });
  if (bias) {
    getKernel('biasAdd', backend.name)(backend, { x: out.storage, bias: bias.contiguous().storage, out: out.storage, rows, cols: outFeatures });
  }
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return record(out, 'linear', inputs, (g, [needX, needW, needB]) => {
    const dout = g.contiguous();
    let dx: Tensor | undefined;
    let dw: Tensor | undefined;
    let db: Tensor | undefined;
    if (needX) {
      dx = outputLike(x);
      gemm(backend, { transA: false, transB: false, m: rows, n: inFeatures, k: outFeatures, alpha: 1, beta: 0, a: dout.storage, b: w.storage, c: dx.storage });
    }
    if (needW) {
      dw = outputLike(weight);
      gemm(backend, { transA: true, transB: false, m: outFeatures, n: inFeatures, k: rows, alpha: 1, beta: 0, a: dout.storage, b: input.storage, c: dw.storage });
    }
    if (needB) {
      db = outputLike(weight, [outFeatures]);
      getKernel('columnSum', backend.name)(backend, { x: dout.storage, out: db.storage, rows, cols: outFeatures, beta: 0 });
    }
    return [dx, dw, db];
  });
}
