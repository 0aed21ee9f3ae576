/**
 * The densenet121 setup (what `dlp train --setup densenet121` runs): DESIGN.md's schedule, a
 * DenseNet-121 with a 10-class head that trains on CIFAR-shaped batches, pretrained weights
 * loaded into its features with the head kept fresh, frozen features left untouched by a step,
 * and the other setups refusing those options.
 */

import { describe, expect, it } from 'vitest';
import { ArgumentError, getBackend, models, Rng, Tensor, train } from '../../src/index.js';
import { AutogradTrainer } from '../../src/train/autograd-trainer.js';

const backend = getBackend('native');
const setup = train.getSetup('densenet121');

/** Two CIFAR-shaped images (already centred), as the training loop hands them over. */
function batch(seed: number) {
  const rng = new Rng(seed);
  const pixels = Float32Array.from({ length: 2 * 3072 }, () => rng.normal() * 60);
  return { labels: Uint8Array.of(3, 8), loadImages: (into: Tensor) => backend.view(into.storage).set(pixels) };
}

const modelOf = (trainer: unknown) => (trainer as AutogradTrainer).model as models.DenseNet;

describe('the densenet121 setup', () => {
  it("has DESIGN.md's schedule: Adam 1e-4, batch 32, 5000 steps, evaluation every 500", () => {
    expect(setup.defaults).toEqual({ steps: 5000, batchSize: 32, lr: 1e-4, evalFreq: 500 });
    expect(train.setupNames()).toContain('densenet121');
    expect(setup.evalChunk).toBeGreaterThan(0);
  });

  it('builds DenseNet-121 with a 10-class head that trains: the loss of a repeated batch falls', () => {
    const trainer = setup.build({ backend, rng: new Rng(42), lr: 1e-3 });
    const model = modelOf(trainer);
    expect(model).toBeInstanceOf(models.DenseNet);
    expect(model.classifier.weight.shape).toEqual([10, 1024]);
    const losses = Array.from({ length: 4 }, () => trainer.trainStep(batch(1)).loss);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[3]!).toBeLessThan(losses[0]!);
  });

  it('loads pretrained features (an ImageNet-sized head is left out) and, frozen, keeps them through a step', () => {
    const pretrained = models.densenet121({ backend, rng: new Rng(7) }).stateDict(); // 1000 classes
    const trainer = setup.build({ backend, rng: new Rng(42), lr: 1e-3, weights: pretrained, freezeFeatures: true });
    const model = modelOf(trainer);
    const conv = 'features.denseblock4.denselayer16.conv2.weight';
    const loaded = Array.from(model.stateDict()[conv]!.toArray());
    expect(loaded).toEqual(Array.from(pretrained[conv]!.toArray()));
    expect(model.classifier.weight.shape).toEqual([10, 1024]);
    expect((trainer as AutogradTrainer).optimizer.params).toEqual([model.classifier.weight, model.classifier.bias]);
    const head = Array.from(model.classifier.weight.toArray());
    trainer.trainStep(batch(2));
    expect(Array.from(model.stateDict()[conv]!.toArray())).toEqual(loaded);
    expect(Array.from(model.classifier.weight.toArray())).not.toEqual(head);
  });

  it('the MLP setups refuse weights and frozen features', () => {
    for (const name of ['1', '5']) {
      const other = train.getSetup(name);
      expect(() => other.build({ backend, rng: new Rng(1), lr: 1e-3, weights: {} })).toThrow(
        new ArgumentError(`setup '${name}' does not take weights: only densenet121 and convnet do`),
      );
      expect(() => other.build({ backend, rng: new Rng(1), lr: 1e-3, freezeFeatures: true })).toThrow(ArgumentError);
    }
  });
});
