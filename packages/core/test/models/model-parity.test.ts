/**
 * PyTorch-saved weights in dlp's models (fixtures made by make_densenet_fixture.py): a small
 * DenseNet built with torchvision's own class, its torchvision-0.2-named copy, and a narrow
 * practical ConvNet, each read from its .safetensors file into models.DenseNet / models.ConvNet
 * with loadStateDict (the names unchanged), then run on the sample inputs: logits in eval mode and
 * in train mode (batch statistics), running statistics after the train-mode forward, and the
 * gradients of the train-mode cross-entropy for a few parameters across the model, against
 * PyTorch's float64 values within 1e-4 on js, native and wasm (float32; PyTorch's own float32
 * gradients are ~1e-6 off), 1e-10 on js in float64.
 * The DenseNet and the ConvNet are also read from the .pth files torch.save wrote beside them.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { getBackend, io as dlpIo, models, nn, noGrad, Tensor } from '../../src/index.js';
import { readFixture, scaledError } from '../support/fixtures.js';

interface ParityMeta {
  densenet: { config: { growth_rate: number; block_config: number[]; num_init_features: number; bn_size: number; num_classes: number }; keys: string[] };
  convnet: { channels: [number, number, number, number]; keys: string[] };
  io: { running_after_train_forward: Record<'densenet' | 'convnet', string[]>; labels: number[]; grads: Record<'densenet' | 'convnet', string[]> };
}

const meta = readFixture<ParityMeta>('model_parity.json');
type SafetensorsTensors = dlpIo.SafetensorsTensors;
/** A fixture weight file of either format (.safetensors, or torch.save's .pth), told apart by its bytes. */
const weights = (file: string): SafetensorsTensors =>
  dlpIo.decodeWeights(new Uint8Array(readFileSync(new URL(`../fixtures/${file}`, import.meta.url))), { source: file }).tensors;
const io = weights('model_parity_io.safetensors');

const TARGETS = [
  ['js', 'float64', 1e-10],
  ['js', 'float32', 1e-4],
  ['native', 'float32', 1e-4],
  ['wasm', 'float32', 1e-4],
] as const;

type On = { backend: ReturnType<typeof getBackend>; dtype: 'float32' | 'float64' };

function smallDenseNet(on: On): models.DenseNet {
  const c = meta.densenet.config;
  return new models.DenseNet({ ...on, growthRate: c.growth_rate, blockConfig: c.block_config, numInitFeatures: c.num_init_features, bnSize: c.bn_size, numClasses: c.num_classes });
}

/** The sample input, the eval and train logits, and the running statistics after the train forward. */
function expectOutputs(name: 'densenet' | 'convnet', model: nn.Module, on: On, tolerance: number): void {
  const x = io[`${name}.input`]!;
  const input = Tensor.from(x.data as Float32Array, x.shape, on);
  model.eval();
  const evalLogits = noGrad(() => model.forward(input));
  expect(evalLogits.shape).toEqual(io[`${name}.eval_logits`]!.shape);
  expect(scaledError(evalLogits.toArray(), io[`${name}.eval_logits`]!.data as Float64Array), 'eval logits').toBeLessThan(tolerance);
  model.train();
  const trainLogits = noGrad(() => model.forward(input));
  expect(scaledError(trainLogits.toArray(), io[`${name}.train_logits`]!.data as Float64Array), 'train logits').toBeLessThan(tolerance);
  const buffers = Object.fromEntries(model.namedBuffers());
  for (const bn of meta.io.running_after_train_forward[name]) {
    for (const stat of ['running_mean', 'running_var']) {
      const want = io[`${name}.train.${bn}.${stat}`]!.data as Float64Array;
      expect(scaledError(buffers[`${bn}.${stat}`]!.toArray(), want), `${bn}.${stat}`).toBeLessThan(tolerance);
    }
    expect(buffers[`${bn}.num_batches_tracked`]!.item(), `${bn}.num_batches_tracked`).toBe(8);
  }
  // Backward through the whole model: the train-mode cross-entropy's gradients.
  nn.functional.crossEntropy(model.forward(input), meta.io.labels).backward();
  const params = Object.fromEntries(model.namedParameters());
  for (const p of meta.io.grads[name]) {
    expect(scaledError(params[p]!.grad!.toArray(), io[`${name}.grad.${p}`]!.data as Float64Array), `grad of ${p}`).toBeLessThan(tolerance);
  }
}

describe.each(TARGETS)('PyTorch-saved weights on %s (%s) give PyTorch outputs', (backendName, dtype, tolerance) => {
  const on: On = { backend: getBackend(backendName), dtype };

  it.each(['safetensors', 'pth'])("torchvision's DenseNet (growth 8, blocks 2-2, 16 initial features, bottleneck 2) from its .%s: names unchanged", (format) => {
    const model = smallDenseNet(on);
    expect(Object.keys(model.stateDict())).toEqual(meta.densenet.keys);
    model.loadStateDict(asNumbers(weights(`densenet_small.${format}`)));
    expectOutputs('densenet', model, on, tolerance);
  });

  it("torchvision's old key names (denselayerN.norm.1.weight, no num_batches_tracked) through loadDenseNetWeights", () => {
    const model = smallDenseNet(on);
    const legacy = weights('densenet_small_legacy.safetensors');
    expect(Object.keys(legacy)).toContain('features.denseblock1.denselayer1.conv.2.weight');
    expect(models.loadDenseNetWeights(model, legacy)).toEqual({ classifier: 'loaded' });
    // The old files carry no step counter: the model keeps its own (0), then counts the train forward.
    for (const [name, t] of model.namedBuffers()) if (name.endsWith('num_batches_tracked')) t.backend.view(t.storage)[0] = 7;
    expectOutputs('densenet', model, on, tolerance);
  });

  it.each(['safetensors', 'pth'])("the practical's ConvNet, narrowed, with its names, from its .%s", (format) => {
    const model = new models.ConvNet({ ...on, channels: meta.convnet.channels });
    expect(Object.keys(model.stateDict())).toEqual(meta.convnet.keys);
    model.loadStateDict(asNumbers(weights(`convnet_small.${format}`)));
    expectOutputs('convnet', model, on, tolerance);
  });
});

/** int64 tensors (num_batches_tracked) as numbers, the rest as they are: what loadStateDict takes. */
function asNumbers(tensors: SafetensorsTensors): Record<string, { shape: number[]; data: ArrayLike<number> }> {
  return Object.fromEntries(
    Object.entries(tensors).map(([k, t]) => [k, { shape: t.shape, data: t.dtype === 'I64' ? Float64Array.from(t.data as BigInt64Array, Number) : (t.data as ArrayLike<number>) }]),
  );
}
