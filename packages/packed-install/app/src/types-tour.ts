// The public types as the README shows them, type-checked (not run) in a strict consumer
// project: namespace members that are types only (autograd.AutogradFunction, BackwardFn, …)
// must stay types, and the @ts-expect-error lines prove the types are precise, not `any`.
import {
  autograd,
  BackendUnavailableError,
  data,
  DlpError,
  getBackend,
  manual,
  matmul,
  models,
  nn,
  noGrad,
  optim,
  Tensor,
  train,
  type Backend,
  type BackendName,
  type DType,
  type Shape,
} from '@dlp/core';

const backend: Backend = getBackend('auto');
const name: BackendName = backend.name;
const dtype: DType = 'float64';
const shape: Shape = [2, 3];
const a = Tensor.from([1, 2, 3, 4, 5, 6], shape, { backend: 'js', dtype, requiresGrad: true });
const product: Tensor = matmul(a, a.t());
const summed: number = noGrad(() => product.sum().item());

const cube: autograd.AutogradFunction<[Tensor]> = autograd.defineFunction({
  name: 'Cube',
  forward(ctx, x: Tensor) {
    ctx.saveForBackward(x);
    return x.mul(x).mul(x);
  },
  backward(ctx, g) {
    const [x] = ctx.savedTensors;
    return [ctx.needsInputGrad[0] ? g.mul(x!.mul(x!).mul(3)) : undefined];
  },
});
const definition: autograd.FunctionDefinition<[Tensor]> | undefined = undefined;
const backwardOptions: autograd.BackwardOptions | undefined = undefined;
const backwardFn: autograd.BackwardFn | undefined = undefined;
cube.apply(a).sum().backward();

const manualOptions: manual.ManualOptions = { backend: 'js', dtype: 'float64' };
const mlp = new manual.MLP(3072, [100], 10, { ...manualOptions, seed: 42 });
const model = new nn.Sequential(new nn.BatchNorm1d(3072), new nn.Linear(3072, 100), new nn.ELU(), new nn.Linear(100, 10));
const opt: optim.Optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
const convnet = new models.ConvNet({ backend: 'js' });
const options: train.RunOptions = { setup: '1', steps: 5, backend: 'auto' };
const opened: ReturnType<typeof data.openCifar10> = data.openCifar10({ dataDir: '/nowhere' });
const isTyped = (error: unknown): boolean => error instanceof DlpError || error instanceof BackendUnavailableError;

// @ts-expect-error a shape is a list of numbers
Tensor.from([1, 2], 'two');
// @ts-expect-error SGD needs a learning rate
new optim.SGD(model.parameters(), {});
// @ts-expect-error no such backend name
const wrongName: BackendName = 'gpu';

export { name, summed, definition, backwardOptions, backwardFn, mlp, opt, convnet, options, opened, isTyped, wrongName };
