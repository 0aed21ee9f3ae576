/** The tape's semantics: accumulation, noGrad, detach, retained and freed graphs, aliasing. */

import { describe, expect, it } from 'vitest';
import { ArgumentError, autograd, noGrad, ops, Tensor } from '../../src/index.js';

const js = { backend: 'js' as const, dtype: 'float64' as const };
const leaf = (values: number[], shape = [values.length]) => Tensor.from(values, shape, { ...js, requiresGrad: true });
const grad = (t: Tensor) => Array.from(t.grad!.toArray());

describe('backward', () => {
  it('fills the gradient of every leaf that requires grad, and adds on a second backward', () => {
    const a = leaf([1, 2, 3]);
    const b = leaf([4, 5, 6]);
    const loss = () => ops.sum(ops.mul(a, b));
    loss().backward();
    expect(grad(a)).toEqual([4, 5, 6]);
    expect(grad(b)).toEqual([1, 2, 3]);
    loss().backward();
    expect(grad(a)).toEqual([8, 10, 12]);
  });

  it('sums the gradients of a value used twice (diamond)', () => {
    const a = leaf([3]);
    const y = ops.mul(a, 2); // 6
    ops.add(y, ops.mul(y, y)).backward(); // d/da (2a + 4a²) = 2 + 8a = 26
    expect(grad(a)).toEqual([26]);
  });

  it('gives leaves fed by the same gradient storages of their own', () => {
    const a = leaf([1, 1]);
    const b = leaf([1, 1]);
    ops.sum(ops.add(a, b)).backward();
    expect(a.grad!.storage).not.toBe(b.grad!.storage);
    ops.sum(ops.mul(a, 3)).backward();
    expect(grad(a)).toEqual([4, 4]);
    expect(grad(b)).toEqual([1, 1]);
  });

  it('needs a gradient for a non-scalar output, and takes one of the right shape', () => {
    const a = leaf([1, 2]);
    const y = ops.mul(a, a);
    expect(() => y.backward()).toThrow('backward: a gradient can only be implied for a scalar; pass one of shape [2]');
    expect(() => y.backward(Tensor.from([1, 1, 1], [3], js))).toThrow(/gradient of shape \[3\] for a tensor of shape \[2\]/);
    y.backward(Tensor.from([1, 10], [2], js));
    expect(grad(a)).toEqual([2, 40]);
  });

  it('frees the graph after backward unless retainGraph is set', () => {
    const a = leaf([2]);
    const y = ops.exp(a);
    y.backward(undefined, { retainGraph: true });
    y.backward();
    expect(grad(a)[0]).toBeCloseTo(2 * Math.exp(2), 12);
    expect(y.gradFn!.released).toBe(true);
    expect(() => y.backward()).toThrow(/already freed .* retainGraph: true/);
  });

  it('refuses a tensor that is not on the tape', () => {
    expect(() => Tensor.from([1], [1], js).backward()).toThrow(ArgumentError);
  });

  it('does not compute the gradient of an input that does not need one', () => {
    const x = Tensor.from([1, 2, 3, 4], [2, 2], js);
    const w = leaf([1, 0, 0, 1], [2, 2]);
    ops.sum(ops.linear(x, w)).backward();
    expect(x.grad).toBeNull();
    expect(grad(w)).toEqual([4, 6, 4, 6]);
  });
});

describe('recording', () => {
  it('noGrad: results do not require grad; enableGrad turns it back on inside', () => {
    const a = leaf([1]);
    expect(noGrad(() => ops.mul(a, 2)).requiresGrad).toBe(false);
    expect(noGrad(() => autograd.enableGrad(() => ops.mul(a, 2))).requiresGrad).toBe(true);
    expect(autograd.isGradEnabled()).toBe(true);
  });

  it('detach shares storage and leaves the tape', () => {
    const a = leaf([1, 2]);
    const d = ops.mul(a, 2).detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.isLeaf).toBe(true);
    expect(Array.from(d.toArray())).toEqual([2, 4]);
  });

  it('requiresGrad cannot be switched off on a non-leaf', () => {
    const y = ops.mul(leaf([1]), 2);
    expect(y.isLeaf).toBe(false);
    expect(() => (y.requiresGrad = false)).toThrow(/only be turned off on leaf tensors/);
  });

  it('ops refuse operands on different backends or dtypes, and shapes that do not broadcast', () => {
    expect(() => ops.add(leaf([1, 2]), Tensor.from([1, 2], [2], { backend: 'js', dtype: 'float32' }))).toThrow(
      'add: operands have different dtypes (float64 and float32)',
    );
    expect(() => ops.add(leaf([1, 2, 3]), leaf([1, 2]))).toThrow('add: shapes [3] and [2] cannot be broadcast together (dimension 0: 3 vs 2)');
  });

  it('Tensor methods chain like PyTorch', () => {
    const x = leaf([1, 2, 3, 4], [2, 2]);
    const y = x.matmul(x.t()).relu().sum();
    y.backward();
    expect(y.item()).toBe(1 + 4 + 2 * (3 + 8) + 9 + 16);
    expect(grad(x)).toEqual([8, 12, 8, 12]);
  });
});

describe('memory of consumed gradients', () => {
  /** The js backend, with every release recorded (it frees nothing itself). */
  function recordingReleases() {
    const released: unknown[] = [];
    const backend = Tensor.zeros([1], js).backend;
    const original = backend.release.bind(backend);
    backend.release = (storage) => {
      released.push(storage);
      original(storage);
    };
    return { released, restore: () => { backend.release = original; } };
  }

  it('gives back the intermediate gradients once consumed, never a leaf gradient or the caller gradient', () => {
    const { released, restore } = recordingReleases();
    try {
      const a = leaf([1, -2, 3]);
      const b = leaf([0.5, 0.5, 0.5]);
      // mul → tanh → reshape (a pass-through view) → sum: the gradients between the ops are
      // the engine's own; reshape's is a view of its input's and must survive until consumed.
      const y = ops.sum(ops.tanh(ops.mul(a, b)).reshape([3, 1]));
      const seed = Tensor.from([1], [], js);
      y.backward(seed);
      expect(released.length).toBeGreaterThan(0);
      expect(released).not.toContain(a.grad!.storage);
      expect(released).not.toContain(b.grad!.storage);
      expect(released).not.toContain(seed.storage);
      // The gradients are still right: d/da sum(tanh(a·b)) = b·(1 − tanh²(a·b)).
      const want = [1, -2, 3].map((v) => 0.5 * (1 - Math.tanh(0.5 * v) ** 2));
      grad(a).forEach((g, i) => expect(g).toBeCloseTo(want[i]!, 12));
    } finally {
      restore();
    }
  });
});
