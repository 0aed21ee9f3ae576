/** The differentiable ops, as functions (also installed as Tensor methods by tensor-methods.ts). */

import './tensor-methods.js';

export { add, sub, mul, div, neg, exp, log, sqrt, relu, tanh, sigmoid, elu } from './elementwise.js';
export { matmul } from './matmul.js';
export { linear } from './linear.js';
export { sum, mean, variance, max, type ReduceOptions, type VarOptions, type MaxResult } from './reduce.js';
export { crossEntropy, logSoftmax, nllLoss, type Labels } from './loss.js';
export { batchNorm, layerNorm, type BatchNormOptions, type LayerNormOptions } from './normalization.js';
export { dropout } from './dropout.js';
export { conv2d, maxPool2d, type Conv2dOptions, type MaxPool2dOptions, type Pair } from './conv.js';
export { avgPool2d, adaptiveAvgPool2d, type AvgPool2dOptions } from './pooling.js';
export { cat } from './cat.js';
export { broadcastShapes } from './broadcast.js';
