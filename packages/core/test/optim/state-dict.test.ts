/**
 * Optimizer.stateDict() / loadStateDict() against torch.optim's state_dict() / load_state_dict()
 * (fixtures/optim_state_dict.json, made by make_optim_state_dict_fixture.py), on every backend:
 * the same layout and values after two steps, a torch state dict loaded into a fresh optimiser
 * continues as torch's does (hyperparameters replaced), and a saved-and-loaded optimiser
 * continues bit for bit as one never interrupted.
 */

import { describe, expect, it } from 'vitest';
import { ArgumentError, getBackend, optim, ShapeError, Tensor, type DType } from '../../src/index.js';
import { PARITY_TARGETS, readFixture, scaledError, type FixtureTensor } from '../support/fixtures.js';

type TorchState = Record<string, Record<string, FixtureTensor | number | null>>;
interface TorchStateDict {
  state: TorchState;
  param_groups: Array<Record<string, unknown>>;
}
interface StateDictCase {
  name: string;
  optimizer: 'SGD' | 'Adam';
  options: Record<string, unknown>;
  fresh_options: Record<string, unknown>;
  after_two: TorchStateDict;
  params_two: FixtureTensor[];
  params_three: FixtureTensor[];
}

const fx = readFixture<{ p0: FixtureTensor[]; grads: FixtureTensor[][]; cases: StateDictCase[] }>('optim_state_dict.json');

/** torch's snake_case options as dlp's constructor takes them. */
function build(kind: 'SGD' | 'Adam', params: Tensor[], o: Record<string, unknown>): optim.SGD | optim.Adam {
  const weightDecay = (o.weight_decay as number | undefined) ?? 0;
  if (kind === 'SGD') {
    return new optim.SGD(params, { lr: o.lr as number, momentum: (o.momentum as number) ?? 0, dampening: (o.dampening as number) ?? 0, nesterov: (o.nesterov as boolean) ?? false, weightDecay });
  }
  return new optim.Adam(params, { lr: o.lr as number, betas: o.betas as [number, number], eps: o.eps as number, weightDecay });
}

/** A state dict's tensors as shapes and values, as a file holds them (nothing shared with the optimiser). */
function detached(sd: optim.OptimizerStateDict): optim.OptimizerStateDict<optim.TensorValues> {
  const state: optim.OptimizerStateDict<optim.TensorValues>['state'] = {};
  for (const [i, entry] of Object.entries(sd.state)) {
    state[Number(i)] = Object.fromEntries(Object.entries(entry).map(([k, v]) => [k, typeof v === 'number' ? v : { shape: [...v.shape], data: v.toArray().slice() }]));
  }
  return { state, param_groups: JSON.parse(JSON.stringify(sd.param_groups)) };
}

function stepWith(opt: optim.Optimizer, params: Tensor[], grads: FixtureTensor[], on: { backend: ReturnType<typeof getBackend>; dtype: DType }): void {
  params.forEach((p, i) => (p.grad = Tensor.from(grads[i]!.data, grads[i]!.shape, on)));
  opt.step();
}

describe.each(PARITY_TARGETS)('optimizer state dicts on %s (%s) match torch.optim', (backendName, dtype, tolerance) => {
  const on = { backend: getBackend(backendName), dtype };
  const leaves = (ts: FixtureTensor[]) => ts.map((t) => Tensor.from(t.data, t.shape, { ...on, requiresGrad: true }));

  for (const c of fx.cases) {
    it(`${c.name}: state_dict after two steps, and load_state_dict into a fresh optimiser`, () => {
      const params = leaves(fx.p0);
      const opt = build(c.optimizer, params, c.options);
      for (const g of fx.grads.slice(0, 2)) stepWith(opt, params, g, on);
      const sd = opt.stateDict();

      expect(sd.param_groups).toEqual(c.after_two.param_groups);
      for (const [index, torchEntry] of Object.entries(c.after_two.state)) {
        const tensors = Object.entries(torchEntry).filter(([, v]) => v !== null);
        // torch keeps `momentum_buffer: None` for SGD without momentum; dlp keeps no entry.
        if (tensors.length === 0) {
          expect(sd.state[Number(index)]).toBeUndefined();
          continue;
        }
        const ours = sd.state[Number(index)]!;
        expect(Object.keys(ours).sort()).toEqual(tensors.map(([k]) => k).sort());
        for (const [key, value] of tensors) {
          if (typeof value === 'number') expect(ours[key]).toBe(value);
          else expect(scaledError((ours[key] as Tensor).toArray(), (value as FixtureTensor).data), `${index}.${key}`).toBeLessThan(tolerance * 10);
        }
      }

      const resumed = leaves(c.params_two);
      const fresh = build(c.optimizer, resumed, c.fresh_options);
      fresh.loadStateDict(c.after_two as optim.OptimizerStateDict<optim.TensorValues>);
      expect(fresh.lr).toBe(c.options.lr);
      stepWith(fresh, resumed, fx.grads[2]!, on);
      resumed.forEach((p, i) => expect(scaledError(p.toArray(), c.params_three[i]!.data), `param ${i}`).toBeLessThan(tolerance * 10));
    });

    it(`${c.name}: saved after two steps and loaded, the third step is bit-identical`, () => {
      const straight = leaves(fx.p0);
      const a = build(c.optimizer, straight, c.options);
      for (const g of fx.grads) stepWith(a, straight, g, on);

      const first = leaves(fx.p0);
      const b = build(c.optimizer, first, c.options);
      for (const g of fx.grads.slice(0, 2)) stepWith(b, first, g, on);
      const saved = detached(b.stateDict());
      const second = first.map((p) => Tensor.from(p.toArray(), p.shape, { ...on, requiresGrad: true }));
      const c2 = build(c.optimizer, second, c.fresh_options);
      c2.loadStateDict(saved);
      stepWith(c2, second, fx.grads[2]!, on);
      second.forEach((p, i) => expect(Array.from(p.toArray())).toEqual(Array.from(straight[i]!.toArray())));
    });
  }
});

describe('loadStateDict refuses a state dict that does not fit, changing nothing', () => {
  const on = { backend: 'js' as const };
  const setup = () => {
    const params = [Tensor.from([1, 2, 3, 4, 5, 6], [2, 3], { ...on, requiresGrad: true }), Tensor.from([1, 2, 3], [3], { ...on, requiresGrad: true })];
    const opt = new optim.Adam(params, { lr: 0.1 });
    params.forEach((p) => (p.grad = Tensor.from(Array(p.size).fill(1), p.shape, on)));
    opt.step();
    return { params, opt, saved: detached(opt.stateDict()) };
  };

  it('a wrong parameter count, shape, value count, step or flag', () => {
    const { opt, saved } = setup();
    const before = JSON.stringify(detached(opt.stateDict()));
    const one = { ...saved, param_groups: [{ ...saved.param_groups[0]!, params: [0] }] };
    expect(() => opt.loadStateDict(one)).toThrow('Adam.loadStateDict: the state dict\'s group holds 1 parameters, this optimiser 2 (indices 0..1 expected)');
    expect(() => opt.loadStateDict({ ...saved, param_groups: [] })).toThrow(ArgumentError);
    const badShape = detached(opt.stateDict());
    badShape.state[1]!.exp_avg = { shape: [1, 3], data: [0, 0, 0] };
    expect(() => opt.loadStateDict(badShape)).toThrow(ShapeError);
    expect(() => opt.loadStateDict(badShape)).toThrow('Adam.loadStateDict: state 1.exp_avg has shape [1,3] but parameter 1 has [3]');
    const badCount = detached(opt.stateDict());
    badCount.state[1]!.exp_avg_sq = { shape: [3], data: [0, 0] };
    expect(() => opt.loadStateDict(badCount)).toThrow('state 1.exp_avg_sq has 2 values for shape [3]');
    const badStep = detached(opt.stateDict());
    badStep.state[0]!.step = 0;
    expect(() => opt.loadStateDict(badStep)).toThrow('Adam.loadStateDict: state 0.step must be a positive integer, got 0');
    const extra = detached(opt.stateDict());
    extra.state[5] = { step: 1 };
    expect(() => opt.loadStateDict(extra)).toThrow('state for parameter 5, but there are 2 (0..1)');
    expect(() => opt.loadStateDict({ ...saved, param_groups: [{ ...saved.param_groups[0]!, amsgrad: true }] })).toThrow('Adam.loadStateDict: amsgrad=true is not supported');
    expect(() => opt.loadStateDict({ ...saved, param_groups: [{ ...saved.param_groups[0]!, lr: -1 }] })).toThrow('Adam: lr must be a positive number, got -1');
    expect(JSON.stringify(detached(opt.stateDict()))).toBe(before);
    expect(opt.lr).toBe(0.1);
  });

  it("accepts torch's one-element step tensor and SGD's None momentum buffers", () => {
    const { params, opt, saved } = setup();
    saved.state[0]!.step = { shape: [], data: [7] };
    opt.loadStateDict(saved);
    expect(opt.stateDict().state[0]!.step).toBe(7);
    const sgd = new optim.SGD(params, { lr: 0.1 });
    sgd.loadStateDict({ state: { 0: { momentum_buffer: null as unknown as number } }, param_groups: [{ lr: 0.2, momentum: 0, params: [0, 1] }] });
    expect(sgd.stateDict().state).toEqual({});
    expect(sgd.lr).toBe(0.2);
  });
});
