/**
 * PyTorch checkpoints written by torch.save (test/fixtures/make_weight_files.py): every dtype,
 * strided views, Parameters, nested dicts, the legacy format and a deflated archive, compared
 * exactly with the values torch recorded and with the safetensors copies of the same tensors.
 */

import { describe, expect, it } from 'vitest';

import { WeightsFormatError } from '../../src/errors.js';
import { decodeLegacyPth } from '../../src/io/pth/legacy.js';
import { PickleDict, unpickle } from '../../src/io/pth/pickle.js';
import { decodePth } from '../../src/io/pth/pth.js';
import { torchPickleHooks } from '../../src/io/pth/torch-pickle.js';
import { openZip } from '../../src/io/pth/zip.js';
import { loadPth } from '../../src/io/load-weights.js';
import { decodeSafetensors } from '../../src/io/safetensors.js';
import { expectedWeights, expectWeight, fixtureBytes, fixturePath } from '../support/weight-fixtures.js';

describe(`torch.save archives (${expectedWeights.generator})`, () => {
  it('reads every dtype, keeping float16/bfloat16 bits or converting them exactly', () => {
    const want = expectedWeights.files.dtypes;
    const raw = decodePth(fixtureBytes('dtypes.pth'), { source: 'dtypes.pth' });
    expect(Object.keys(raw.tensors)).toEqual(Object.keys(want));
    for (const [name, w] of Object.entries(want)) expectWeight(raw.tensors[name], w, name);
    const converted = decodePth(fixtureBytes('dtypes.pth'), { halfToFloat32: true });
    for (const [name, w] of Object.entries(want)) expectWeight(converted.tensors[name], w, name, true);
    expect(raw.metadata).toEqual({});
  });

  it('copies strided views and storage offsets out as torch sees them, and reads Parameters', () => {
    const want = expectedWeights.files.views;
    const file = decodePth(fixtureBytes('views.pth'));
    expect(Object.keys(file.tensors)).toEqual(Object.keys(want));
    for (const [name, w] of Object.entries(want)) expectWeight(file.tensors[name], w, name);
    // spot check beyond the recorded values: base is arange(20) as 4x5, transposed is its transpose
    expect(Array.from(file.tensors.transposed!.data as Float32Array).slice(0, 5)).toEqual([0, 5, 10, 15, 1]);
    expect(Array.from(file.tensors.sliced!.data as Float32Array)).toEqual([5, 7, 9, 10, 12, 14]);
  });

  it('names the tensors of a nested module state dict as PyTorch does, int64 buffers included', () => {
    const want = expectedWeights.files.module;
    const file = decodePth(fixtureBytes('module.pth'));
    expect(Object.keys(file.tensors)).toEqual(Object.keys(want));
    expect(Object.keys(file.tensors)).toContain('3.1.weight');
    for (const [name, w] of Object.entries(want)) expectWeight(file.tensors[name], w, name);
    expect(file.tensors['1.num_batches_tracked']).toEqual({ dtype: 'I64', shape: [], data: new BigInt64Array([7n]) });
  });

  it('reads the state dict’s _metadata (BUILD on the OrderedDict) at the pickle level', () => {
    const zip = openZip(fixtureBytes('module.pth'), 'module.pth');
    const pkl = zip.read(zip.entries.get('module/data.pkl')!);
    const { value, end } = unpickle(pkl, torchPickleHooks(), 'module.pth');
    expect(end).toBe(pkl.byteLength);
    expect(value).toBeInstanceOf(PickleDict);
    const root = value as PickleDict;
    expect(root.kind).toBe('OrderedDict');
    const metadata = root.attributes?.entries.get('_metadata') as PickleDict;
    expect(metadata).toBeInstanceOf(PickleDict);
    const versions = Object.fromEntries(
      [...metadata.entries].map(([k, v]) => [k, Object.fromEntries((v as PickleDict).entries)]),
    );
    expect(versions).toEqual(expectedWeights.module_metadata);
  });

  it('names tensors nested in a checkpoint by their path and skips plain values', () => {
    const file = decodePth(fixtureBytes('checkpoint.pth'));
    const want = expectedWeights.files.checkpoint;
    expect(Object.keys(file.tensors)).toEqual(Object.keys(want));
    for (const [name, w] of Object.entries(want)) expectWeight(file.tensors[name], w, name);
  });

  it('reads the legacy format and a deflated archive to the same tensors', async () => {
    const want = expectedWeights.files.module;
    const legacy = decodeLegacyPth(fixtureBytes('module-legacy.pth'));
    const deflated = await loadPth(fixturePath('module-deflate.pth'));
    const legacyByPath = await loadPth(fixturePath('module-legacy.pth'));
    for (const file of [legacy, deflated, legacyByPath]) {
      expect(Object.keys(file.tensors)).toEqual(Object.keys(want));
      for (const [name, w] of Object.entries(want)) expectWeight(file.tensors[name], w, name);
    }
  });

  it('refuses a deflated archive when no inflater is given (the pure decoder on its own)', () => {
    expect(() => decodePth(fixtureBytes('module-deflate.pth'), { source: 'm.pth' })).toThrow(
      /^m\.pth: entry 'module\/data\.pkl' is deflate-compressed and no inflater was given/,
    );
  });

  it.each(['dtypes', 'views', 'module'])('%s: the .pth and the .safetensors hold the same tensors', (stem) => {
    const pth = decodePth(fixtureBytes(`${stem}.pth`)).tensors;
    const st = decodeSafetensors(fixtureBytes(`${stem}.safetensors`)).tensors;
    expect(Object.keys(st).sort()).toEqual(Object.keys(pth).sort());
    for (const [name, t] of Object.entries(pth)) {
      expect(st[name]!.dtype, name).toBe(t.dtype);
      expect(st[name]!.shape, name).toEqual(t.shape);
      expect(new Uint8Array(st[name]!.data.buffer, st[name]!.data.byteOffset, st[name]!.data.byteLength), name).toEqual(
        new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength),
      );
    }
  });

  it('names the file in a missing-file error', async () => {
    await expect(loadPth('/nonexistent/model.pth')).rejects.toThrow('cannot read weights /nonexistent/model.pth: no such file');
    await expect(loadPth(fixturePath('module.safetensors'))).rejects.toBeInstanceOf(WeightsFormatError);
  });
});
