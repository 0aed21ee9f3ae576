/**
 * Starting from pretrained weights (models/pretrained.ts), on the practical's ConvNet (head
 * `linear.`): the features come from the source, a head that fits is loaded and one that does
 * not stays fresh, a source missing a feature tensor or holding strangers is refused whole, and
 * freezing leaves only the head to train. Also the convnet setup's --weights/--freeze-features.
 */

import { describe, expect, it } from 'vitest';
import { ArgumentError, getBackend, models, Rng, ShapeError, Tensor, train } from '../../src/index.js';
import { AutogradTrainer } from '../../src/train/autograd-trainer.js';
import { freezeAllBut, loadPretrained, withoutHead } from '../../src/models/pretrained.js';

const backend = getBackend('native');
// Narrow widths (the same layers and names): the full ConvNet's 11M weights make comparisons slow.
const convnet = (seed: number) => new models.ConvNet({ backend, rng: new Rng(seed), channels: [8, 16, 16, 24] });
const values = (t: Tensor) => Array.from(t.toArray());

describe('loadPretrained', () => {
  it('loads every feature tensor, and the head when it fits', () => {
    const source = convnet(1).stateDict();
    const model = convnet(2);
    expect(loadPretrained(model, source, 'linear.')).toEqual({ head: 'loaded' });
    for (const [name, t] of Object.entries(model.stateDict())) expect(values(t), name).toEqual(values(source[name]!));
  });

  it('keeps a fresh head when the source has none, or one of another size (an ImageNet head)', () => {
    const source = convnet(1).stateDict();
    const model = convnet(2);
    const freshHead = values(model.stateDict()['linear.weight']!);
    expect(loadPretrained(model, withoutHead(source, 'linear.'), 'linear.')).toEqual({ head: 'kept' });
    expect(values(model.stateDict()['linear.weight']!)).toEqual(freshHead);
    const conv = Object.keys(source).find((k) => k.endsWith('.weight') && !k.startsWith('linear.'))!;
    expect(values(model.stateDict()[conv]!)).toEqual(values(source[conv]!));

    const wide = { ...source, 'linear.weight': { shape: [1000, source['linear.weight']!.shape[1]!], data: new Float32Array(1000 * source['linear.weight']!.shape[1]!) }, 'linear.bias': { shape: [1000], data: new Float32Array(1000) } };
    expect(loadPretrained(convnet(3), wide, 'linear.')).toEqual({ head: 'kept' });
  });

  it('refuses a source missing a feature tensor or holding unknown names, changing nothing', () => {
    const source = convnet(1).stateDict();
    const [first] = Object.keys(source);
    const model = convnet(2);
    const before = values(model.stateDict()[first!]!);
    const { [first!]: _dropped, ...missing } = source;
    expect(() => loadPretrained(model, missing, 'linear.', '--weights')).toThrow(new ArgumentError(`--weights: the weights do not fit the model's features: missing ${first}`));
    expect(() => loadPretrained(model, { ...source, 'extra.weight': source[first!]! }, 'linear.')).toThrow(/unexpected extra\.weight/);
    expect(values(model.stateDict()[first!]!)).toEqual(before);
    const misshapen = { ...source, [first!]: { shape: [1], data: new Float32Array(1) } };
    expect(() => loadPretrained(model, misshapen, 'linear.')).toThrow(ShapeError);
    expect(values(model.stateDict()[first!]!)).toEqual(before);
  });

  it('freezeAllBut leaves only the head trainable', () => {
    const model = convnet(1);
    freezeAllBut(model, 'linear.');
    const trainable = model.namedParameters().filter(([, p]) => p.requiresGrad).map(([name]) => name);
    expect(trainable).toEqual(['linear.weight', 'linear.bias']);
  });
});

describe('the convnet setup with pretrained weights', () => {
  it('starts from the file and, with frozen features, steps the head only', () => {
    const pretrained = new models.ConvNet({ backend, rng: new Rng(5) }).stateDict();
    const trainer = train.getSetup('convnet').build({ backend, rng: new Rng(1), lr: 1e-3, weights: withoutHead(pretrained, 'linear.'), freezeFeatures: true }) as AutogradTrainer;
    const model = trainer.model as models.ConvNet;
    expect(trainer.optimizer.params).toEqual([model.linear.weight, model.linear.bias]);
    const conv = Object.keys(pretrained).find((k) => k.endsWith('conv.weight'))!;
    expect(values(model.stateDict()[conv]!)).toEqual(values(pretrained[conv]!));
    const rng = new Rng(3);
    const pixels = Float32Array.from({ length: 2 * 3072 }, () => rng.normal() * 60);
    const head = values(model.linear.weight);
    trainer.trainStep({ labels: Uint8Array.of(1, 7), loadImages: (into: Tensor) => backend.view(into.storage).set(pixels) });
    expect(values(model.stateDict()[conv]!)).toEqual(values(pretrained[conv]!));
    expect(values(model.linear.weight)).not.toEqual(head);
    expect(train.getSetup('convnet').head).toBe('linear.');
  });
});
