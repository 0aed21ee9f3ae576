/**
 * models.DenseNet: DenseNet-121's state-dict names and shapes are torchvision's (model_parity.json
 * lists torchvision's), its initialisation is torchvision's, a new head and frozen features work
 * with the optimiser, loadDenseNetWeights takes features and keeps a head of another size, and a
 * small DenseNet's gradient matches finite differences in float64. (Outputs against PyTorch's:
 * model-parity.test.ts.)
 */

import { describe, expect, it } from 'vitest';
import { ArgumentError, autograd, getBackend, models, nn, optim, Rng, ShapeError, Tensor } from '../../src/index.js';
import { readFixture } from '../support/fixtures.js';

const torchvision121 = readFixture<{ densenet121: { shapes: Record<string, number[]> } }>('model_parity.json').densenet121.shapes;
const small = { growthRate: 4, blockConfig: [2, 3], numInitFeatures: 8, bnSize: 2, numClasses: 10 } as const;

describe('DenseNet-121', () => {
  const model = models.densenet121({ backend: 'js', rng: new Rng(1) });

  it("has torchvision's state-dict names, order and shapes (727 tensors, 7,978,856 parameters)", () => {
    const state = model.stateDict();
    expect(Object.keys(state)).toEqual(Object.keys(torchvision121));
    for (const [name, shape] of Object.entries(torchvision121)) expect(state[name]!.shape, name).toEqual(shape);
    expect(model.parameters().reduce((n, p) => n + p.size, 0)).toBe(7_978_856);
    expect(model.features.numFeatures).toBe(1024);
  });

  it("is initialised as torchvision's: kaiming-normal convolutions, BatchNorm 1 and 0, classifier bias 0", () => {
    const conv0 = Array.from(model.stateDict()['features.conv0.weight']!.toArray());
    const std = Math.sqrt(conv0.reduce((s, v) => s + v * v, 0) / conv0.length);
    expect(std / Math.sqrt(2 / (3 * 7 * 7))).toBeCloseTo(1, 1); // 9408 draws: within a few percent
    const state = model.stateDict();
    expect(new Set(state['features.denseblock3.denselayer7.norm2.weight']!.toArray())).toEqual(new Set([1]));
    expect(new Set(state['features.norm5.bias']!.toArray())).toEqual(new Set([0]));
    expect(new Set(state['classifier.bias']!.toArray())).toEqual(new Set([0]));
    expect(state['classifier.weight']!.shape).toEqual([1000, 1024]);
  });

  it('takes CIFAR-10 images as they are: [2, 3, 32, 32] → [2, 10] on native', () => {
    const net = models.densenet121({ backend: 'native', numClasses: 10, rng: new Rng(2) });
    const x = Tensor.from(Float32Array.from({ length: 2 * 3 * 32 * 32 }, (_, i) => Math.sin(i)), [2, 3, 32, 32], { backend: 'native' });
    const logits = net.forward(x);
    expect(logits.shape).toEqual([2, 10]);
    expect(Array.from(logits.toArray()).every(Number.isFinite)).toBe(true);
  });
});

describe('a new head and frozen features', () => {
  it('resetClassifier puts a fresh Linear in the same place; the setter checks its input size', () => {
    const model = new models.DenseNet({ ...small, numClasses: 1000, backend: 'js' });
    const names = Object.keys(model.stateDict());
    const head = model.resetClassifier(10);
    expect(model.classifier).toBe(head);
    expect(Object.keys(model.stateDict())).toEqual(names);
    expect(model.stateDict()['classifier.weight']!.shape).toEqual([10, model.features.numFeatures]);
    expect(() => (model.classifier = new nn.Linear(7, 10, { backend: 'js' }))).toThrow(ArgumentError);
    model.classifier = new nn.Linear(model.features.numFeatures, 3, { backend: 'js' });
    expect(model.stateDict()['classifier.bias']!.shape).toEqual([3]);
  });

  it('freezeFeatures: backward fills only the head; the optimiser takes the parameters that require grad', () => {
    const model = new models.DenseNet({ ...small, backend: 'js', rng: new Rng(3) });
    model.freezeFeatures();
    const trainable = model.parameters().filter((p) => p.requiresGrad);
    expect(trainable).toEqual([model.classifier.weight, model.classifier.bias]);
    expect(() => new optim.Adam(model.parameters(), { lr: 1e-3 })).toThrow(ArgumentError);
    const opt = new optim.Adam(trainable, { lr: 1e-2 });
    const x = Tensor.from(Float32Array.from({ length: 2 * 3 * 16 * 16 }, (_, i) => Math.cos(i)), [2, 3, 16, 16], { backend: 'js' });
    const conv0 = Array.from(model.features.parameters()[0]!.toArray());
    const head = Array.from(model.classifier.weight.toArray());
    nn.functional.crossEntropy(model.forward(x), [1, 2]).backward();
    expect(model.features.parameters().every((p) => p.grad === null)).toBe(true);
    expect(model.classifier.weight.grad).not.toBeNull();
    opt.step();
    expect(Array.from(model.features.parameters()[0]!.toArray())).toEqual(conv0);
    expect(Array.from(model.classifier.weight.toArray())).not.toEqual(head);
    model.freezeFeatures(false);
    expect(model.parameters().every((p) => p.requiresGrad)).toBe(true);
  });
});

describe('loadDenseNetWeights', () => {
  const source = () => new models.DenseNet({ ...small, backend: 'js', rng: new Rng(4) });

  it('loads the features and keeps a head of another size; loads a head that fits', () => {
    const from = source().stateDict();
    const target = new models.DenseNet({ ...small, numClasses: 5, backend: 'js', rng: new Rng(5) });
    const head = Array.from(target.classifier.weight.toArray());
    expect(models.loadDenseNetWeights(target, from)).toEqual({ classifier: 'kept' });
    expect(Array.from(target.stateDict()['features.denseblock2.denselayer3.conv2.weight']!.toArray())).toEqual(
      Array.from(from['features.denseblock2.denselayer3.conv2.weight']!.toArray()),
    );
    expect(Array.from(target.classifier.weight.toArray())).toEqual(head);
    const same = new models.DenseNet({ ...small, backend: 'js', rng: new Rng(6) });
    expect(models.loadDenseNetWeights(same, from)).toEqual({ classifier: 'loaded' });
    expect(Array.from(same.classifier.weight.toArray())).toEqual(Array.from(from['classifier.weight']!.toArray()));
  });

  it('refuses missing or unexpected feature tensors and wrong shapes, copying nothing', () => {
    const from = source().stateDict();
    const target = source();
    const before = Array.from(target.features.parameters()[0]!.toArray());
    const { ['features.norm5.weight']: _dropped, ...missing } = from;
    expect(() => models.loadDenseNetWeights(target, missing)).toThrow(
      new ArgumentError("loadDenseNetWeights: the weights do not fit the model's features: missing features.norm5.weight"),
    );
    expect(() => models.loadDenseNetWeights(target, { ...from, 'features.extra.weight': from['features.norm5.weight']! })).toThrow(
      /unexpected features\.extra\.weight/,
    );
    const wider = new models.DenseNet({ ...small, growthRate: 5, backend: 'js' }).stateDict();
    expect(() => models.loadDenseNetWeights(target, wider)).toThrow(ShapeError);
    expect(Array.from(target.features.parameters()[0]!.toArray())).toEqual(before);
  });

  it("remapLegacyDenseNetKeys renames torchvision's old dense-layer keys only", () => {
    const renamed = models.remapLegacyDenseNetKeys({
      'features.denseblock1.denselayer1.norm.1.weight': 1,
      'features.denseblock4.denselayer16.conv.2.weight': 2,
      'features.denseblock1.denselayer1.norm.1.num_batches_tracked': 3,
      'features.transition1.norm.weight': 4,
      'classifier.bias': 5,
    });
    expect(renamed).toEqual({
      'features.denseblock1.denselayer1.norm1.weight': 1,
      'features.denseblock4.denselayer16.conv2.weight': 2,
      'features.denseblock1.denselayer1.norm.1.num_batches_tracked': 3,
      'features.transition1.norm.weight': 4,
      'classifier.bias': 5,
    });
  });
});

describe('a small DenseNet against finite differences (float64, js, training mode)', () => {
  it('the gradient with respect to the input image', () => {
    const on = { backend: getBackend('js'), dtype: 'float64' as const };
    const model = new models.DenseNet({ growthRate: 2, blockConfig: [2, 1], numInitFeatures: 4, bnSize: 2, numClasses: 3, ...on, rng: new Rng(8) });
    const rng = new Rng(9);
    const x = Tensor.from(Float64Array.from({ length: 2 * 3 * 16 * 16 }, () => rng.normal()), [2, 3, 16, 16], { ...on, requiresGrad: true });
    expect(autograd.gradcheck((input) => model.forward(input!), [x])).toBe(true);
  });
});

describe('bad configurations', () => {
  it.each([
    [{ growthRate: 0 }, 'DenseNet: growthRate must be an integer ≥ 1, got 0'],
    [{ blockConfig: [] }, 'DenseNet: blockConfig must name at least one block'],
    [{ blockConfig: [2, 1.5] }, 'DenseNet: blockConfig[1] must be an integer ≥ 1, got 1.5'],
    [{ numClasses: -1 }, 'DenseNet: numClasses must be an integer ≥ 1, got -1'],
    [{ dropRate: 1 }, 'DenseNet: dropRate must be in [0, 1), got 1'],
  ])('%j', (config, message) => {
    expect(() => new models.DenseNet({ ...small, backend: 'js', ...config })).toThrow(new ArgumentError(message));
  });
});
