/** autograd: the tape's public controls and gradient checking (torch.autograd). */

export { noGrad, enableGrad, isGradEnabled } from './grad-mode.js';
export { GradNode, type BackwardFn } from './node.js';
export type { BackwardOptions } from './engine.js';
export { gradcheck, GradcheckError, type GradcheckOptions } from '../gradcheck/gradcheck.js';
export { defineFunction, FunctionContext, type AutogradFunction, type FunctionDefinition } from './function.js';
