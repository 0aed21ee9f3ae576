/**
 * The js backend's kernels: registered once, looked up by name through the kernel registry.
 * Each checks its arguments exactly as dlp-kernels does (same messages), then runs the plain
 * loops; on float64 storages they are the oracle the fast backends and gradient checks use.
 */

import type { TypedArray } from '../../dtype.js';
import { checkGemmLengths } from '../../kernels/gemm-lengths.js';
import {
  checkAllSeparate,
  checkLabels,
  checkMatrix,
  checkSameLength,
  checkSameOrSeparate,
  checkSeparate,
  checkSizes,
  checkVector,
} from '../../kernels/lengths.js';
import { gatherCenterReference } from './images.js';
import { registerKernel } from '../../kernels/registry.js';
import type { Storage } from '../backend.js';
import { eluBackwardReference, eluReference } from './activation.js';
import { biasAddReference, columnSumReference } from './bias.js';
import { gemmReference } from './gemm.js';
import type { JsStorage } from './js-backend.js';
import { crossEntropyBackwardReference, crossEntropyReference, softmaxCrossEntropyReference } from './loss.js';
import { sgdUpdateReference } from './optim.js';
import { registerJsNormOptimKernels } from './norm-optim-kernels.js';
import { registerJsConvKernels } from './conv-kernels.js';
import { softmaxBackwardReference, softmaxReference } from './softmax.js';
import { registerJsTensorOpKernels } from './tensor-op-kernels.js';

const arr = (s: Storage): TypedArray => (s as JsStorage).array;

let registered = false;

export function registerJsKernels(): void {
  if (registered) return;
  registered = true;

  registerKernel('gemm', 'js', (_backend, args) => {
    checkSizes('gemm', { m: args.m, n: args.n, k: args.k });
    checkGemmLengths(args);
    checkAllSeparate('gemm', [['C', arr(args.c)]], [['A', arr(args.a)], ['B', arr(args.b)]]);
    gemmReference(args, arr(args.a), arr(args.b), arr(args.c));
  });

  registerKernel('biasAdd', 'js', (_backend, { x, bias, out, rows, cols }) => {
    const k = 'biasAdd';
    checkSizes(k, { rows, cols });
    checkMatrix(k, 'x', rows, cols, x.length);
    checkVector(k, 'bias', cols, 'cols', bias.length);
    checkMatrix(k, 'out', rows, cols, out.length);
    checkSeparate(k, 'out', arr(out), 'bias', arr(bias));
    checkSameOrSeparate(k, 'out', arr(out), 'x', arr(x));
    biasAddReference(arr(x), arr(bias), arr(out), rows, cols);
  });

  registerKernel('columnSum', 'js', (_backend, { x, out, rows, cols, beta }) => {
    const k = 'columnSum';
    checkSizes(k, { rows, cols });
    checkMatrix(k, 'x', rows, cols, x.length);
    checkVector(k, 'out', cols, 'cols', out.length);
    checkSeparate(k, 'out', arr(out), 'x', arr(x));
    columnSumReference(arr(x), arr(out), rows, cols, beta);
  });

  registerKernel('elu', 'js', (_backend, { x, out, alpha }) => {
    checkSameLength('elu', 'out', out.length, 'x', x.length);
    checkSameOrSeparate('elu', 'out', arr(out), 'x', arr(x));
    eluReference(arr(x), arr(out), alpha);
  });

  registerKernel('eluBackward', 'js', (_backend, { x, dout, dx, alpha }) => {
    const k = 'eluBackward';
    checkSameLength(k, 'dout', dout.length, 'x', x.length);
    checkSameLength(k, 'dx', dx.length, 'x', x.length);
    checkSeparate(k, 'dx', arr(dx), 'x', arr(x));
    checkSameOrSeparate(k, 'dx', arr(dx), 'dout', arr(dout));
    eluBackwardReference(arr(x), arr(dout), arr(dx), alpha);
  });

  registerKernel('softmax', 'js', (_backend, { x, out, rows, cols }) => {
    checkSizes('softmax', { rows, cols });
    checkMatrix('softmax', 'x', rows, cols, x.length);
    checkMatrix('softmax', 'out', rows, cols, out.length);
    checkSeparate('softmax', 'out', arr(out), 'x', arr(x));
    softmaxReference(arr(x), arr(out), rows, cols);
  });

  registerKernel('softmaxBackward', 'js', (_backend, { s, dout, dx, rows, cols }) => {
    const k = 'softmaxBackward';
    checkSizes(k, { rows, cols });
    checkMatrix(k, 's', rows, cols, s.length);
    checkMatrix(k, 'dout', rows, cols, dout.length);
    checkMatrix(k, 'dx', rows, cols, dx.length);
    checkSeparate(k, 'dx', arr(dx), 's', arr(s));
    checkSeparate(k, 'dx', arr(dx), 'dout', arr(dout));
    softmaxBackwardReference(arr(s), arr(dout), arr(dx), rows, cols);
  });

  registerKernel('crossEntropy', 'js', (_backend, { probs, targets, rows, cols }) => {
    checkSizes('crossEntropy', { rows, cols });
    checkMatrix('crossEntropy', 'probs', rows, cols, probs.length);
    checkMatrix('crossEntropy', 'targets', rows, cols, targets.length);
    return crossEntropyReference(arr(probs), arr(targets), rows);
  });

  registerKernel('crossEntropyBackward', 'js', (_backend, { probs, targets, dprobs, rows, cols }) => {
    const k = 'crossEntropyBackward';
    checkSizes(k, { rows, cols });
    checkMatrix(k, 'probs', rows, cols, probs.length);
    checkMatrix(k, 'targets', rows, cols, targets.length);
    checkMatrix(k, 'dprobs', rows, cols, dprobs.length);
    checkSeparate(k, 'dprobs', arr(dprobs), 'probs', arr(probs));
    checkSeparate(k, 'dprobs', arr(dprobs), 'targets', arr(targets));
    crossEntropyBackwardReference(arr(probs), arr(targets), arr(dprobs), rows);
  });

  registerKernel('softmaxCrossEntropy', 'js', (_backend, { logits, labels, rows, cols, dlogits, probs }) => {
    const k = 'softmaxCrossEntropy';
    checkSizes(k, { rows, cols });
    checkMatrix(k, 'logits', rows, cols, logits.length);
    checkLabels(k, labels, rows, cols);
    if (dlogits) {
      checkMatrix(k, 'dlogits', rows, cols, dlogits.length);
      checkSeparate(k, 'dlogits', arr(dlogits), 'logits', arr(logits));
    }
    if (probs) {
      checkMatrix(k, 'probs', rows, cols, probs.length);
      checkSeparate(k, 'probs', arr(probs), 'logits', arr(logits));
      if (dlogits) checkSeparate(k, 'dlogits', arr(dlogits), 'probs', arr(probs));
    }
    return softmaxCrossEntropyReference(arr(logits), labels, rows, cols, dlogits && arr(dlogits), probs && arr(probs));
  });

  registerKernel('gatherCenter', 'js', (backend, args) => gatherCenterReference(args, backend.view(args.out)));
  registerKernel('sgdUpdate', 'js', (_backend, { param, grad, lr }) => {
    checkSameLength('sgdUpdate', 'grad', grad.length, 'param', param.length);
    checkSeparate('sgdUpdate', 'param', arr(param), 'grad', arr(grad));
    sgdUpdateReference(arr(param), arr(grad), lr);
  });
  registerJsTensorOpKernels();
  registerJsNormOptimKernels();
  registerJsConvKernels();
}
