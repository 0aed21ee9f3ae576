/**
 * Ops allocate their outputs without clearing them (Backend.allocateForOverwrite), trusting the
 * kernel that comes next to write every element. With the native backend's poisoning on, those
 * outputs start as NaN: a kernel that skipped an element would leave a NaN behind or change a
 * result. The ConvNet and an MLP with every norm, activation and loss of the setups run forward
 * and backward poisoned and not, and must agree bit for bit.
 */

import { describe, expect, it } from 'vitest';
import { getBackend, models, nn, Rng, Tensor } from '../../src/index.js';
import type { NativeBackend } from '../../src/backends/native/native-backend.js';
import { matmul } from '../../src/ops/index.js';

const native = getBackend('native') as NativeBackend;
const on = { backend: native, dtype: 'float32' as const };

function randomTensor(shape: number[], seed: number, requiresGrad = false): Tensor {
  const rng = new Rng(seed);
  return Tensor.from(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape, { ...on, requiresGrad });
}

/** Every value `run` returns, computed with poisoned output allocations and without. */
function poisonedAndClean(run: () => Float32Array[]): { poisoned: Float32Array[]; clean: Float32Array[] } {
  const clean = run();
  native.poisonUninitialized = true;
  try {
    return { poisoned: run(), clean };
  } finally {
    native.poisonUninitialized = false;
  }
}

function expectIdentical({ poisoned, clean }: { poisoned: Float32Array[]; clean: Float32Array[] }): void {
  expect(poisoned.length).toBe(clean.length);
  poisoned.forEach((values, i) => {
    expect(values.some(Number.isNaN), `result ${i} has a NaN`).toBe(false);
    expect(Buffer.from(values.buffer).equals(Buffer.from(clean[i]!.buffer)), `result ${i} differs`).toBe(true);
  });
}

const gradients = (module: nn.Module): Float32Array[] => module.parameters().map((p) => Float32Array.from(p.grad!.toArray()));

describe('native outputs allocated without clearing are written in full', () => {
  it('the ConvNet, forward and backward in train mode, then in eval mode', { timeout: 120_000 }, () => {
    const x = randomTensor([2, 3, 32, 32], 5);
    expectIdentical(
      poisonedAndClean(() => {
        const net = new models.ConvNet({ ...on, rng: new Rng(42) });
        const logits = net.forward(x);
        nn.functional.crossEntropy(logits, [1, 8]).backward();
        net.eval();
        return [Float32Array.from(logits.toArray()), Float32Array.from(net.forward(x).toArray()), ...gradients(net)];
      }),
    );
  });

  it('an MLP with BatchNorm, LayerNorm, ELU, ReLU and Tanh, and matmul, broadcasting and copies', () => {
    const x = randomTensor([64, 300], 6);
    expectIdentical(
      poisonedAndClean(() => {
        const rng = new Rng(7);
        const mlp = new nn.Sequential(
          new nn.BatchNorm1d(300, on), new nn.Linear(300, 200, { ...on, rng }), new nn.ELU(),
          new nn.LayerNorm(200, on), new nn.Linear(200, 100, { ...on, rng }), new nn.ReLU(),
          new nn.Linear(100, 100, { ...on, rng }), new nn.Tanh(), new nn.Linear(100, 10, { ...on, rng }),
        );
        const logits = mlp.forward(x);
        const a = randomTensor([300, 40], 8, true);
        const product = matmul(x.t().contiguous().t(), a).mul(randomTensor([1, 40], 9)).sum();
        nn.functional.crossEntropy(logits, Array.from({ length: 64 }, (_, i) => i % 10)).add(product).backward();
        return [Float32Array.from(logits.toArray()), Float32Array.from(a.grad!.toArray()), ...gradients(mlp)];
      }),
    );
  });
});
