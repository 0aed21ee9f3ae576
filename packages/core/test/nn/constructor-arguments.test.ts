/**
 * Every nn layer built with a wrong argument (null, a string, a bad number, a non-object
 * options) fails in its constructor with an ArgumentError whose message names the layer and
 * the argument, never a TypeError from a helper or a silent success that fails at forward.
 * The table is keyed by the layer classes nn exports, so a new layer needs its cases here.
 */

import { describe, expect, it } from 'vitest';
import { ArgumentError, nn } from '../../src/index.js';

type Ctor = new (...args: never[]) => nn.Module;
/** Bad constructor arguments of one layer: [what, () => construct, words the message must hold]. */
type Bad = ReadonlyArray<readonly [string, () => unknown, string]>;
const any = (c: unknown) => c as new (...args: unknown[]) => unknown;

const CASES: Record<string, { ctor: Ctor; bad: Bad } | { ctor: Ctor; none: string }> = {
  Linear: {
    ctor: nn.Linear,
    bad: [
      ['inFeatures null', () => new (any(nn.Linear))(null, 3), 'Linear: inFeatures'],
      ['outFeatures 0', () => new nn.Linear(3, 0), 'Linear: outFeatures'],
      ['options a string', () => new (any(nn.Linear))(3, 2, 'native'), 'Linear: options'],
    ],
  },
  BatchNorm1d: {
    ctor: nn.BatchNorm1d,
    bad: [
      ['numFeatures null', () => new (any(nn.BatchNorm1d))(null), 'numFeatures'],
      ['eps -1', () => new nn.BatchNorm1d(3, { eps: -1 }), 'eps'],
      ['momentum NaN', () => new nn.BatchNorm1d(3, { momentum: Number.NaN }), 'momentum'],
      ['options null', () => new (any(nn.BatchNorm1d))(3, null), 'options'],
    ],
  },
  BatchNorm2d: { ctor: nn.BatchNorm2d, bad: [['numFeatures 2.5', () => new nn.BatchNorm2d(2.5), 'numFeatures']] },
  LayerNorm: {
    ctor: nn.LayerNorm,
    bad: [
      ['normalizedShape [3]', () => new (any(nn.LayerNorm))([3]), 'LayerNorm: normalizedShape'],
      ['eps a string', () => new (any(nn.LayerNorm))(3, { eps: '1e-5' }), 'LayerNorm: eps'],
    ],
  },
  ELU: { ctor: nn.ELU, bad: [['alpha null', () => new (any(nn.ELU))(null), 'ELU: alpha']] },
  ReLU: { ctor: nn.ReLU, none: 'no arguments' },
  Tanh: { ctor: nn.Tanh, none: 'no arguments' },
  Sigmoid: { ctor: nn.Sigmoid, none: 'no arguments' },
  Conv2d: {
    ctor: nn.Conv2d,
    bad: [
      ['kernelSize null', () => new (any(nn.Conv2d))(3, 4, null), 'Conv2d: kernelSize'],
      ['kernelSize [3]', () => new (any(nn.Conv2d))(3, 4, [3]), 'Conv2d: kernelSize'],
      ['stride 0', () => new nn.Conv2d(3, 4, 3, { stride: 0 }), 'Conv2d: stride'],
      ['padding -1', () => new nn.Conv2d(3, 4, 3, { padding: -1 }), 'Conv2d: padding'],
      ['inChannels a string', () => new (any(nn.Conv2d))('3', 4, 3), 'Conv2d: inChannels'],
    ],
  },
  MaxPool2d: {
    ctor: nn.MaxPool2d,
    bad: [
      ['kernelSize null', () => new (any(nn.MaxPool2d))(null), 'MaxPool2d: kernelSize'],
      ['kernelSize a string', () => new (any(nn.MaxPool2d))('2'), 'MaxPool2d: kernelSize'],
      ['stride [2, 0]', () => new nn.MaxPool2d(2, { stride: [2, 0] }), 'MaxPool2d: stride'],
      ['options null', () => new (any(nn.MaxPool2d))(2, null), 'MaxPool2d: options'],
    ],
  },
  AvgPool2d: {
    ctor: nn.AvgPool2d,
    bad: [
      ['kernelSize undefined', () => new (any(nn.AvgPool2d))(), 'AvgPool2d: kernelSize'],
      ['padding 1.5', () => new nn.AvgPool2d(2, { padding: 1.5 }), 'AvgPool2d: padding'],
      ['countIncludePad a string', () => new (any(nn.AvgPool2d))(2, { countIncludePad: 'no' }), 'AvgPool2d: countIncludePad'],
    ],
  },
  AdaptiveAvgPool2d: {
    ctor: nn.AdaptiveAvgPool2d,
    bad: [
      ['outputSize null', () => new (any(nn.AdaptiveAvgPool2d))(null), 'AdaptiveAvgPool2d: outputSize'],
      ['outputSize 0', () => new nn.AdaptiveAvgPool2d(0), 'AdaptiveAvgPool2d: outputSize'],
      ['outputSize [1, 2, 3]', () => new (any(nn.AdaptiveAvgPool2d))([1, 2, 3]), 'AdaptiveAvgPool2d: outputSize'],
    ],
  },
  Sequential: { ctor: nn.Sequential, bad: [['a layer null', () => new (any(nn.Sequential))(new nn.ReLU(), null), 'Sequential: layer 1']] },
  Flatten: { ctor: nn.Flatten, none: 'no arguments' },
  Dropout: {
    ctor: nn.Dropout,
    bad: [
      ['p null', () => new (any(nn.Dropout))(null), 'Dropout: p'],
      ['options a number', () => new (any(nn.Dropout))(0.5, 3), 'Dropout: options'],
    ],
  },
  CustomLayerNormAutograd: {
    ctor: nn.CustomLayerNormAutograd,
    bad: [
      ['features null', () => new (any(nn.CustomLayerNormAutograd))(null), 'CustomLayerNormAutograd: features'],
      ['eps 0', () => new nn.CustomLayerNormAutograd(3, { eps: 0 }), 'CustomLayerNormAutograd: eps'],
    ],
  },
  CustomLayerNormManualModule: {
    ctor: nn.CustomLayerNormManualModule,
    bad: [['features -2', () => new nn.CustomLayerNormManualModule(-2), 'CustomLayerNormManualModule: features']],
  },
};

/** The layer classes nn exports (Module itself is abstract, Function is not a layer). */
const LAYER_CLASSES = Object.entries(nn)
  .filter(([name, v]) => typeof v === 'function' && v.prototype instanceof nn.Module)
  .map(([name]) => name)
  .sort();

describe('nn layer constructors refuse wrong arguments with an ArgumentError naming them', () => {
  it('has cases for every layer class nn exports', () => {
    expect(Object.keys(CASES).sort()).toEqual(LAYER_CLASSES);
  });

  const rows = Object.entries(CASES).flatMap(([layer, c]) => ('bad' in c ? c.bad.map(([what, make, words]) => [`${layer}: ${what}`, make, words] as const) : []));
  it.each(rows)('%s', (_name, make, words) => {
    let thrown: unknown;
    try {
      make();
    } catch (error) {
      thrown = error;
    }
    expect(thrown, 'did not throw').toBeInstanceOf(ArgumentError);
    expect((thrown as Error).message).toContain(words);
  });
});
