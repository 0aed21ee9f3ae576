/** nn.functional: the stateless forms of the layers and the losses (PyTorch's torch.nn.functional). */

export { linear } from '../ops/linear.js';
export { elu, relu, tanh, sigmoid } from '../ops/elementwise.js';
export { crossEntropy, logSoftmax, nllLoss } from '../ops/loss.js';
export { batchNorm, layerNorm } from '../ops/normalization.js';
export { dropout } from '../ops/dropout.js';
export { conv2d, maxPool2d } from '../ops/conv.js';
export { avgPool2d, adaptiveAvgPool2d } from '../ops/pooling.js';
