/**
 * nn: layers and models with autograd, shaped after torch.nn.
 *
 * @example
 * const model = new nn.Sequential(new nn.Linear(3072, 100), new nn.ELU(), new nn.Linear(100, 10));
 * const loss = nn.functional.crossEntropy(model.forward(x), labels);
 * loss.backward();
 */

export { Module, type StateDictValue, type LoadStateDictResult } from './module.js';
export { Linear, type LinearOptions } from './linear.js';
export { BatchNorm1d, BatchNorm2d, LayerNorm, type BatchNormOptions, type LayerNormOptions } from './normalization.js';
export { ELU, ReLU, Tanh, Sigmoid } from './activation.js';
export { Conv2d, MaxPool2d, type Conv2dOptions } from './conv.js';
export { AvgPool2d, AdaptiveAvgPool2d } from './pooling.js';
export { Sequential, Flatten, Dropout } from './container.js';
export { manualSeed } from './init.js';
export * as functional from './functional.js';
export {
  CustomLayerNormAutograd,
  CustomLayerNormManualFunction,
  CustomLayerNormManualModule,
  LAYER_NORM_EPS,
} from './custom-layer-norm.js';
