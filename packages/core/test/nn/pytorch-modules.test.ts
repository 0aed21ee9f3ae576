/**
 * nn modules and ops against PyTorch (fixtures/nn_modules.json, made by make_nn_fixtures.py):
 * forward output and the gradient of sum(out·R) (or of the loss) wrt the input and every
 * parameter, plus BatchNorm's running statistics — on js (float64 and float32), native, wasm.
 */

import { describe, expect, it } from 'vitest';
import { getBackend, models, nn, ops, Tensor, type Backend, type DType } from '../../src/index.js';
import { expectCase, loadCase as load, PARITY_TARGETS, readFixture, scaledError, toTensor, type FixtureCase, type FixtureTensor, type On } from '../support/fixtures.js';

const fx = readFixture<{ cases: Record<string, FixtureCase>; ops: Record<string, FixtureCase> }>('nn_modules.json');

const opsByName: Record<string, (i: Record<string, Tensor>, options: Record<string, unknown>) => Tensor> = {
  'torch.add': (i) => ops.add(i.a!, i.b!),
  'torch.sub': (i) => ops.sub(i.a!, i.b!),
  'torch.mul': (i) => ops.mul(i.a!, i.b!),
  'torch.div': (i) => ops.div(i.a!, i.b!),
  'torch.sum': (i, o) => ops.sum(i.x!, o.dim as number, { keepdim: o.keepdim as boolean }),
  'torch.mean': (i, o) => ops.mean(i.x!, o.dim as number, { keepdim: o.keepdim as boolean }),
  'torch.max': (i, o) => ops.max(i.x!, o.dim as number, { keepdim: o.keepdim as boolean }).values,
  'torch.var': (i, o) => ops.variance(i.x!, o.dim as number, { unbiased: o.unbiased as boolean }),
  'torch.exp': (i) => ops.exp(i.x!),
  'torch.log': (i) => ops.log(i.x!),
  'torch.sqrt': (i) => ops.sqrt(i.x!),
  'torch.matmul': (i) => ops.matmul(i.a!, i.b!),
};

describe.each(PARITY_TARGETS)('nn and ops on %s (%s) match PyTorch', (backendName, dtype, tolerance) => {
  const on: On = { backend: getBackend(backendName), dtype };
  const c = fx.cases;

  it('Linear', () => {
    const layer = new nn.Linear(5, 4, on);
    load(layer, c.linear!);
    expectCase(c.linear!, on, tolerance, (i) => ({ out: layer.forward(i.x!), params: { weight: layer.weight, bias: layer.bias! } }));
  });

  it('BatchNorm1d in training: output, gradients, running statistics, then eval', () => {
    const bn = new nn.BatchNorm1d(4, on);
    const k = c.batchnorm1d_train!;
    load(bn, k);
    expectCase(k, on, tolerance, (i) => ({ out: bn.forward(i.x!), params: { weight: bn.weight!, bias: bn.bias! } }));
    const after = k.buffers_after!;
    expect(scaledError(bn.runningMean!.toArray(), (after.running_mean as FixtureTensor).data)).toBeLessThan(tolerance);
    expect(scaledError(bn.runningVar!.toArray(), (after.running_var as FixtureTensor).data)).toBeLessThan(tolerance);
    expect(bn.numBatchesTracked!.item()).toBe(1);
    bn.eval();
    expect(scaledError(bn.forward(toTensor(k.eval!.inputs.x, on)).toArray(), k.eval!.output.data)).toBeLessThan(tolerance);
  });

  it('BatchNorm1d in eval, with gradients', () => {
    const bn = new nn.BatchNorm1d(4, on);
    load(bn, c.batchnorm1d_eval!);
    bn.eval();
    expectCase(c.batchnorm1d_eval!, on, tolerance, (i) => ({ out: bn.forward(i.x!), params: { weight: bn.weight!, bias: bn.bias! } }));
  });

  it('LayerNorm, with and without affine parameters', () => {
    const ln = new nn.LayerNorm(6, on);
    load(ln, c.layernorm!);
    expectCase(c.layernorm!, on, tolerance, (i) => ({ out: ln.forward(i.x!), params: { weight: ln.weight!, bias: ln.bias! } }));
    expectCase(c.layer_norm_no_affine!, on, tolerance, (i) => ({ out: ops.layerNorm(i.x!, 6) }));
  });

  it('ReLU, Tanh (ELU: test/ops/elu.test.ts)', () => {
    expectCase(c.relu!, on, tolerance, (i) => ({ out: new nn.ReLU().forward(i.x!) }));
    expectCase(c.tanh!, on, tolerance, (i) => ({ out: new nn.Tanh().forward(i.x!) }));
  });

  it('cross-entropy, log-softmax, NLL', () => {
    expectCase(c.cross_entropy!, on, tolerance, (i) => ({ out: nn.functional.crossEntropy(i.x!, c.cross_entropy!.labels!) }));
    expectCase(c.log_softmax!, on, tolerance, (i) => ({ out: nn.functional.logSoftmax(i.x!) }));
    expectCase(c.nll_loss!, on, tolerance, (i) => ({ out: nn.functional.nllLoss(i.x!, c.nll_loss!.labels!) }));
  });

  it('the course-layout MLP (BatchNorm → Linear → ELU → BatchNorm → Linear): state-dict names, loss, every gradient', () => {
    const k = c.sequential_mlp!;
    const model = new models.MlpClassifier({ inputs: 6, hidden: [5], classes: 3, norm: 'batchnorm', activation: 'elu' }, on);
    expect(Object.keys(model.stateDict())).toEqual((k as unknown as { state_dict_keys: string[] }).state_dict_keys);
    load(model, k);
    const params = Object.fromEntries(model.namedParameters());
    expectCase(k, on, tolerance, (i) => ({ out: nn.functional.crossEntropy(model.forward(i.x!), k.labels!), params }));
    const after = k.buffers_after!;
    const buffers = Object.fromEntries(model.namedBuffers());
    for (const [name, want] of Object.entries(after)) {
      if (typeof want === 'number') expect(buffers[name]!.item(), name).toBe(want);
      else expect(scaledError(buffers[name]!.toArray(), want.data), name).toBeLessThan(tolerance);
    }
  });

  for (const [name, k] of Object.entries(fx.ops)) {
    it(`op ${name}`, () => {
      const op = opsByName[k.op];
      expect(op, k.op).toBeDefined();
      expectCase(k, on, tolerance, (i) => ({ out: op!(i, k.options ?? {}) }));
    });
  }
});

it('loadStateDict names what does not fit and changes nothing', () => {
  const layer = new nn.Linear(3, 2, { backend: 'js' });
  const before = layer.weight.toArray();
  expect(() => layer.loadStateDict({ weight: { shape: [2, 3], data: new Array(6).fill(1) } })).toThrow(/missing bias/);
  expect(() =>
    layer.loadStateDict({ weight: { shape: [2, 3], data: new Array(6).fill(1) }, bias: { shape: [3], data: [1, 2, 3] } }),
  ).toThrow('loadStateDict: bias has shape [3] in the state dict but [2] in the model');
  expect(layer.weight.toArray()).toEqual(before);
  expect(() => layer.loadStateDict({ weight: Tensor.zeros([2, 3]), bias: Tensor.zeros([2]), extra: Tensor.zeros([1]) })).toThrow(/unexpected extra/);
});
