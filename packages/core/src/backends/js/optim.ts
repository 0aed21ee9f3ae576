/**
 * Optimizer kernels on the js backend (kernels/optim.ts): sgdUpdate and the SGD and Adam steps in
 * float64 loops, with their argument checks in the order and words of `optim_steps.rs`.
 */

import type { TypedArray } from '../../dtype.js';
import { ArgumentError } from '../../errors.js';
import { checkAllSeparate, checkSameLength, checkSeparate } from '../../kernels/lengths.js';
import type { AdamStepArgs, SgdStepArgs } from '../../kernels/optim.js';
import { registerKernel } from '../../kernels/registry.js';
import { arr, registerOnArrays, type OnArrays } from './storage.js';

/** Plain sgd, elementwise: param −= lr·grad. */
export function sgdUpdateReference(param: TypedArray, grad: TypedArray, lr: number): void {
  for (let i = 0; i < param.length; i++) param[i] = param[i]! - lr * grad[i]!;
}

export function sgdStepReference(a: OnArrays<SgdStepArgs>): void {
  const { param, grad, momentumBuffer: buf, lr, momentum, dampening, nesterov, weightDecay, firstStep } = a;
  for (let i = 0; i < param.length; i++) {
    let d = grad[i]! + weightDecay * param[i]!;
    if (momentum !== 0 && buf) {
      const b = firstStep ? d : momentum * buf[i]! + (1 - dampening) * d;
      buf[i] = b;
      d = nesterov ? d + momentum * b : b;
    }
    param[i] = param[i]! - lr * d;
  }
}

export function adamStepReference(a: OnArrays<AdamStepArgs>): void {
  const { param, grad, expAvg, expAvgSq, lr, beta1, beta2, eps, weightDecay, step } = a;
  // torch 1.13's _single_tensor_adam, operation for operation.
  const stepSize = lr / (1 - beta1 ** step);
  const bias2Sqrt = Math.sqrt(1 - beta2 ** step);
  for (let i = 0; i < param.length; i++) {
    const g = grad[i]! + weightDecay * param[i]!;
    const m = beta1 * expAvg[i]! + (1 - beta1) * g;
    const v = beta2 * expAvgSq[i]! + (1 - beta2) * g * g;
    expAvg[i] = m;
    expAvgSq[i] = v;
    param[i] = param[i]! - (stepSize * m) / (Math.sqrt(v) / bias2Sqrt + eps);
  }
}

function checkSgdStep(a: SgdStepArgs): void {
  const k = 'sgdStep';
  checkSameLength(k, 'grad', a.grad.length, 'param', a.param.length);
  if (a.momentumBuffer) checkSameLength(k, 'momentumBuffer', a.momentumBuffer.length, 'param', a.param.length);
  if (a.momentum !== 0 && !a.momentumBuffer) {
    throw new ArgumentError(`${k}: momentumBuffer is required when momentum is not 0`);
  }
  checkAllSeparate(k, [['param', arr(a.param)], ['momentumBuffer', arr(a.momentumBuffer)]], [['grad', arr(a.grad)]]);
}

function checkAdamStep(a: AdamStepArgs): void {
  const k = 'adamStep';
  checkSameLength(k, 'grad', a.grad.length, 'param', a.param.length);
  checkSameLength(k, 'expAvg', a.expAvg.length, 'param', a.param.length);
  checkSameLength(k, 'expAvgSq', a.expAvgSq.length, 'param', a.param.length);
  if (!Number.isInteger(a.step) || a.step < 1) {
    throw new ArgumentError(`${k}: step should be an integer >= 1 (steps count from 1) but is ${a.step}`);
  }
  checkAllSeparate(k, [['param', arr(a.param)], ['expAvg', arr(a.expAvg)], ['expAvgSq', arr(a.expAvgSq)]], [['grad', arr(a.grad)]]);
}

export function registerJsOptimKernels(): void {
  registerKernel('sgdUpdate', 'js', (_backend, { param, grad, lr }) => {
    checkSameLength('sgdUpdate', 'grad', grad.length, 'param', param.length);
    checkSeparate('sgdUpdate', 'param', arr(param), 'grad', arr(grad));
    sgdUpdateReference(arr(param), arr(grad), lr);
  });
  registerOnArrays('sgdStep', checkSgdStep, sgdStepReference);
  registerOnArrays('adamStep', checkAdamStep, adamStepReference);
}
