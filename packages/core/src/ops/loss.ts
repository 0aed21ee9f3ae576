/**
 * Classification losses with autograd, on [N, C] logits and integer class labels:
 * logSoftmax, nllLoss, and crossEntropy = nllLoss(logSoftmax(x)) fused into one kernel that
 * writes the logits' gradient (softmax − onehot)/N while computing the loss.
 */

import { needsRecording, record } from '../autograd/record.js';
import { ShapeError } from '../errors.js';
import { getKernel } from '../kernels/registry.js';
import { formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { asLabels } from './operands.js';
import { zerosLike } from './raw.js';
import { scaleRaw } from './reduce.js';

export type Labels = ArrayLike<number> | Tensor;

function matrixShape(op: string, x: Tensor): [rows: number, cols: number] {
  if (x.rank !== 2) throw new ShapeError(`${op}: expects [batch, classes] input, got shape ${formatShape(x.shape)}`);
  return x.shape as [number, number];
}

/** A scalar loss tensor holding `value`, beside `like`. */
function scalar(value: number, like: Tensor): Tensor {
  return Tensor.from([value], [], { backend: like.backend, dtype: like.dtype });
}

/** The incoming gradient g (a scalar) times `grad`: usually g = 1, so `grad` itself. */
function scaledBy(g: Tensor, grad: Tensor): Tensor {
  const factor = g.item();
  return factor === 1 ? grad : scaleRaw(grad, factor);
}

/**
 * Mean cross-entropy of softmax(logits) against labels (PyTorch's F.cross_entropy).
 * @example const loss = crossEntropy(model.forward(x), labels); loss.backward();
 */
export function crossEntropy(logits: Tensor, labels: Labels): Tensor {
  const [rows, cols] = matrixShape('crossEntropy', logits);
  const input = logits.contiguous();
  const targets = asLabels('crossEntropy', labels, rows);
  const dlogits = needsRecording([logits]) ? zerosLike(input) : undefined;
  const value = getKernel('softmaxCrossEntropy', logits.backend.name)(logits.backend, {
    logits: input.storage,
    labels: targets,
    rows,
    cols,
    ...(dlogits ? { dlogits: dlogits.storage } : {}),
  });
  return record(scalar(value, logits), 'crossEntropy', [input], (g) => [scaledBy(g, dlogits!)]);
}

/** log(softmax(x)) over each row of an [N, C] tensor. */
export function logSoftmax(x: Tensor): Tensor {
  const [rows, cols] = matrixShape('logSoftmax', x);
  const input = x.contiguous();
  const out = zerosLike(input);
  getKernel('logSoftmax', x.backend.name)(x.backend, { x: input.storage, out: out.storage, rows, cols });
  return record(out, 'logSoftmax', [input], (g) => {
    const dout = g.contiguous();
    const dx = zerosLike(input);
    getKernel('logSoftmaxBackward', x.backend.name)(x.backend, { y: out.storage, dout: dout.storage, dx: dx.storage, rows, cols });
    return [dx];
  });
}

/** Mean negative log-likelihood of [N, C] log-probabilities at the labels (F.nll_loss). */
export function nllLoss(logp: Tensor, labels: Labels): Tensor {
  const [rows, cols] = matrixShape('nllLoss', logp);
  const input = logp.contiguous();
  const targets = asLabels('nllLoss', labels, rows);
  const value = getKernel('nllLoss', logp.backend.name)(logp.backend, { logp: input.storage, labels: targets, rows, cols });
  return record(scalar(value, logp), 'nllLoss', [input], (g) => {
    const dlogp = zerosLike(input);
    getKernel('nllLossBackward', logp.backend.name)(logp.backend, { labels: targets, rows, cols, scale: g.item(), dlogp: dlogp.storage });
    return [dlogp];
  });
}
