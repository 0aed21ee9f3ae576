/** Ready-made models of the practical. */
export { MlpClassifier, type MlpClassifierConfig, type NormKind, type ActivationKind } from './mlp-classifier.js';
export { ConvNet, PreActBlock, type ConvNetChannels } from './convnet.js';
export { DenseNet, DenseNetFeatures, DenseBlock, DenseLayer, Transition, densenet121, type DenseNetConfig, type DenseNetOptions } from './densenet.js';
export { remapLegacyDenseNetKeys, loadDenseNetWeights, type StateDictSource, type DenseNetWeightsReport } from './densenet-weights.js';
export { loadPretrained, withoutHead, freezeAllBut, type PretrainedReport } from './pretrained.js';
