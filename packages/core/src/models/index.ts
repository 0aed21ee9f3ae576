/** Ready-made models of the practical. */
export { MlpClassifier, type MlpClassifierConfig, type NormKind, type ActivationKind } from './mlp-classifier.js';
export { ConvNet, PreActBlock } from './convnet.js';
