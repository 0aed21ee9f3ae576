/**
 * Module.loadStateDict as PyTorch's load_state_dict: one message with the first mismatches of
 * each kind when strict, the unmatched names returned when not, wrong shapes always refused,
 * and the readers' dtypes (int64 buffers, float16 bits) accepted. Then the torch module of
 * test/fixtures/make_weight_files.py, loaded from each weight format, gives torch's output.
 */

import { describe, expect, it } from 'vitest';

import { ArgumentError, io, nn, ShapeError, Tensor, type BackendName, type DType } from '../../src/index.js';
import { expectedWeights, fixturePath } from '../support/weight-fixtures.js';

const js = { backend: 'js' as const, dtype: 'float64' as const };

function model(on: { backend: BackendName; dtype: DType } = js) {
  return new nn.Sequential(
    new nn.Linear(4, 6, on),
    new nn.BatchNorm1d(6, on),
    new nn.ELU(),
    new nn.Sequential(new nn.Linear(6, 5, on), new nn.LayerNorm(5, on)),
    new nn.Linear(5, 3, on),
  );
}

/** The model's own state as plain records (a state dict that fits). */
function fitting(m: nn.Module): Record<string, { shape: number[]; data: Float64Array }> {
  return Object.fromEntries(Object.entries(m.stateDict()).map(([k, t]) => [k, { shape: [...t.shape], data: Float64Array.from(t.toArray()) }]));
}

function snapshot(m: nn.Module): Record<string, number[]> {
  return Object.fromEntries(Object.entries(m.stateDict()).map(([k, t]) => [k, Array.from(t.toArray())]));
}

describe('loadStateDict: mismatches', () => {
  it('strict: one ArgumentError naming the first missing, unexpected and wrong-shape entries, and nothing loaded', () => {
    const m = model();
    const before = snapshot(m);
    const state: Record<string, unknown> = fitting(m);
    for (const k of ['0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var', '4.bias']) delete state[k];
    state['extra.a'] = { shape: [1], data: [1] };
    state['4.weight'] = { shape: [5, 3], data: new Array(15).fill(1) };
    const error = (() => {
      try {
        m.loadStateDict(state as Record<string, nn.StateDictValue>);
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ArgumentError);
    expect(error!.message).toBe(
      'loadStateDict: the state dict does not fit the model: missing 0.weight, 0.bias, 1.weight, 1.bias, 1.running_mean, … (7 in all); ' +
        'unexpected extra.a; 4.weight has shape [5,3] in the state dict but [3,5] in the model',
    );
    expect(snapshot(m)).toEqual(before);
  });

  it('strict: only wrong shapes is a ShapeError listing each', () => {
    const m = model();
    const before = snapshot(m);
    const state = fitting(m);
    state['0.bias'] = { shape: [7], data: new Float64Array(7) };
    state['1.running_var'] = { shape: [1, 6], data: new Float64Array(6) };
    expect(() => m.loadStateDict(state)).toThrow(ShapeError);
    expect(() => m.loadStateDict(state)).toThrow(
      'loadStateDict: 0.bias has shape [7] in the state dict but [6] in the model; 1.running_var has shape [1,6] in the state dict but [6] in the model',
    );
    expect(snapshot(m)).toEqual(before);
  });

  it('a record whose values do not fill its shape is refused', () => {
    const m = model();
    const state = fitting(m);
    state['0.bias'] = { shape: [6], data: new Float64Array(5) };
    expect(() => m.loadStateDict(state)).toThrow('loadStateDict: 0.bias has 5 values for its shape [6] (6)');
  });

  it('strict: false loads what matches and returns the missing and unexpected names', () => {
    const [a, b] = [model(), model()];
    const state: Record<string, unknown> = fitting(a);
    delete state['4.weight'];
    delete state['1.num_batches_tracked'];
    state['head.weight'] = { shape: [2], data: [1, 2] };
    const bBefore = snapshot(b);
    const result = b.loadStateDict(state as Record<string, nn.StateDictValue>, { strict: false });
    expect(result).toEqual({ missingKeys: ['1.num_batches_tracked', '4.weight'], unexpectedKeys: ['head.weight'] });
    const after = snapshot(b);
    expect(after['0.weight']).toEqual(Array.from(a.stateDict()['0.weight']!.toArray()));
    expect(after['4.weight']).toEqual(bBefore['4.weight']);
    expect(a.loadStateDict(fitting(a))).toEqual({ missingKeys: [], unexpectedKeys: [] });
  });

  it('strict: false still refuses a wrong shape, as PyTorch does', () => {
    const m = model();
    const before = snapshot(m);
    expect(() => m.loadStateDict({ '0.bias': { shape: [3], data: [1, 2, 3] } }, { strict: false })).toThrow(ShapeError);
    expect(snapshot(m)).toEqual(before);
  });

  it('does not take inherited object keys for names', () => {
    const m = new nn.Linear(2, 1, js);
    const state = Object.assign(Object.create({ weight: { shape: [1, 2], data: [9, 9] } }) as object, { bias: { shape: [1], data: [3] } });
    expect(m.loadStateDict(state as Record<string, nn.StateDictValue>, { strict: false })).toEqual({ missingKeys: ['weight'], unexpectedKeys: [] });
    expect(() => m.loadStateDict({ bias: { shape: [1], data: [3] }, constructor: { shape: [1], data: [0] } })).toThrow(/missing weight; unexpected constructor/);
  });

  it('accepts int64 (BigInt64Array) buffers and float16/bfloat16 bits with their dtype', () => {
    const bn = new nn.BatchNorm1d(2, js);
    bn.loadStateDict({
      weight: { dtype: 'F16', shape: [2], data: new Uint16Array([0x3c00, 0xc000]) }, // 1, -2
      bias: { dtype: 'BF16', shape: [2], data: new Uint16Array([0x3f00, 0x4049]) }, // 0.5, 3.140625
      running_mean: { dtype: 'F32', shape: [2], data: new Float32Array([0.25, -0.5]) },
      running_var: { dtype: 'I32', shape: [2], data: new Int32Array([2, 3]) },
      num_batches_tracked: { dtype: 'I64', shape: [], data: new BigInt64Array([12n]) },
    });
    expect(Array.from(bn.weight!.toArray())).toEqual([1, -2]);
    expect(Array.from(bn.bias!.toArray())).toEqual([0.5, 3.140625]);
    expect(Array.from(bn.runningVar!.toArray())).toEqual([2, 3]);
    expect(bn.numBatchesTracked!.item()).toBe(12);
  });
});

describe('a torch module loaded from each weight format gives torch’s output', () => {
  const { input, output } = expectedWeights.module_io;
  const x = (on: { backend: BackendName; dtype: DType }) => Tensor.from(input.values.map(Number), input.shape, on);
  const wanted = output.values.map(Number);
  const files = ['module.pth', 'module-legacy.pth', 'module-deflate.pth', 'module.safetensors'];
  const ons: Array<{ backend: BackendName; dtype: DType; tolerance: number }> = [
    { backend: 'js', dtype: 'float64', tolerance: 1e-6 },
    { backend: 'js', dtype: 'float32', tolerance: 1e-5 },
    { backend: 'native', dtype: 'float32', tolerance: 1e-5 },
  ];
  for (const file of files) {
    it.each(ons)(`${file} on %s`, async (on) => {
      const weights = await io.loadWeights(fixturePath(file));
      expect(weights.format).toBe(file.endsWith('.safetensors') ? 'safetensors' : file.includes('legacy') ? 'pth-legacy' : 'pth');
      const m = model(on).eval();
      expect(m.loadStateDict(weights.tensors)).toEqual({ missingKeys: [], unexpectedKeys: [] });
      expect((m.stateDict()['1.num_batches_tracked'] as Tensor).item()).toBe(7);
      const y = Array.from(m.forward(x(on)).toArray());
      expect(y).toHaveLength(wanted.length);
      y.forEach((v, i) => expect(Math.abs(v - wanted[i]!), `output[${i}]`).toBeLessThan(on.tolerance));
    });
  }
});
