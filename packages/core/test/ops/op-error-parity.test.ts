/**
 * Misuse of the public ops is the same on every backend: each function ops exports, called with
 * bad inputs on js, native and wasm, throws the same DlpError subclass with the same message
 * (test/backends/error-parity.test.ts does this one level down, for the kernels). Also: a
 * disposed tensor given to any op throws DisposedTensorError everywhere (js included), and an
 * allocation a backend cannot make throws AllocationError naming the size and the limit.
 * The table is keyed by ops' exports, so a new op needs its cases here.
 */

import { describe, expect, it } from 'vitest';
import {
  AllocationError,
  ArgumentError,
  DisposedTensorError,
  ops,
  Rng,
  ShapeError,
  Tensor,
  type BackendName,
} from '../../src/index.js';

const BACKENDS: readonly BackendName[] = ['js', 'native', 'wasm'];
type ErrorClass = typeof ShapeError | typeof ArgumentError | typeof DisposedTensorError;

/** Tensors on one backend: t(shape) holds 0.1, 0.2, … (positive, so log and sqrt are defined). */
interface Env {
  backend: BackendName;
  t: (shape: number[]) => Tensor;
}
/** A call of an op on one backend's tensors. */
type Call = (env: Env) => unknown;
interface OpCases {
  /** A valid call: it must succeed everywhere, and its inputs are what the disposed case frees. */
  ok: Call;
  /** Bad calls: what, the call, the class, and the message when pinned. */
  bad: ReadonlyArray<readonly [string, Call, ErrorClass, string?]>;
}

const rng = () => new Rng(1);

const CASES: Record<string, OpCases> = {};
for (const op of ['add', 'sub', 'mul', 'div'] as const) {
  CASES[op] = {
    ok: ({ t }) => ops[op](t([2, 3]), t([3])),
    bad: [
      ['shapes that do not broadcast', ({ t }) => ops[op](t([2, 3]), t([2])), ShapeError],
      ['a string operand', ({ t }) => (ops[op] as (a: unknown, b: unknown) => unknown)(t([2]), 'x'), ArgumentError],
    ],
  };
}
for (const op of ['neg', 'exp', 'log', 'sqrt', 'relu', 'tanh', 'sigmoid'] as const) {
  CASES[op] = {
    ok: ({ t }) => ops[op](t([2, 3])),
    bad: [['null', () => (ops[op] as (a: unknown) => unknown)(null), ArgumentError]],
  };
}
CASES.elu = {
  ok: ({ t }) => ops.elu(t([4]), 1),
  bad: [['null', () => (ops.elu as (a: unknown) => unknown)(null), ArgumentError, 'elu: x must be a Tensor, got null']],
};
CASES.matmul = {
  ok: ({ t }) => ops.matmul(t([2, 3]), t([3, 4])),
  bad: [
    ['inner dimensions 3 and 2', ({ t }) => ops.matmul(t([2, 3]), t([2, 4])), ShapeError],
    ['a rank-1 operand', ({ t }) => ops.matmul(t([3]), t([3, 4])), ShapeError],
  ],
};
CASES.linear = {
  ok: ({ t }) => ops.linear(t([2, 5, 3]), t([4, 3]), t([4])),
  bad: [
    ['in_features 3 against an input of 2', ({ t }) => ops.linear(t([2, 2]), t([4, 3])), ShapeError],
    ['a bias of 3 for 4 outputs', ({ t }) => ops.linear(t([2, 3]), t([4, 3]), t([3])), ShapeError],
  ],
};
for (const op of ['sum', 'mean', 'variance'] as const) {
  CASES[op] = {
    ok: ({ t }) => ops[op](t([2, 3]), 1),
    bad: [
      ['dim 2 of a rank-2 tensor', ({ t }) => ops[op](t([2, 3]), 2), ArgumentError],
      ['dim 0.5', ({ t }) => ops[op](t([2, 3]), 0.5), ArgumentError],
    ],
  };
}
CASES.max = {
  ok: ({ t }) => ops.max(t([2, 3]), 1).values,
  bad: [['dim -3 of a rank-2 tensor', ({ t }) => ops.max(t([2, 3]), -3), ArgumentError]],
};
CASES.crossEntropy = {
  ok: ({ t }) => ops.crossEntropy(t([2, 10]), [0, 9]),
  bad: [
    [
      'label 12 of ten classes',
      ({ t }) => ops.crossEntropy(t([2, 10]), [0, 12]),
      ArgumentError,
      'softmaxCrossEntropy: labels[1] = 12 is not a class index in 0..9',
    ],
    ['label -1', ({ t }) => ops.crossEntropy(t([2, 10]), [-1, 0]), ArgumentError],
    ['label 1.5', ({ t }) => ops.crossEntropy(t([2, 10]), [1.5, 0]), ArgumentError],
    ['three labels for two rows', ({ t }) => ops.crossEntropy(t([2, 10]), [0, 1, 2]), ArgumentError],
    ['rank-1 logits', ({ t }) => ops.crossEntropy(t([10]), [0]), ShapeError],
  ],
};
CASES.logSoftmax = { ok: ({ t }) => ops.logSoftmax(t([2, 3])), bad: [['a rank-3 input', ({ t }) => ops.logSoftmax(t([2, 3, 1])), ShapeError]] };
CASES.nllLoss = {
  ok: ({ t }) => ops.nllLoss(t([2, 3]), [0, 2]),
  bad: [['label 3 of three classes', ({ t }) => ops.nllLoss(t([2, 3]), [0, 3]), ArgumentError, 'nllLoss: labels[1] = 3 is not a class index in 0..2']],
};
CASES.batchNorm = {
  ok: ({ t }) => ops.batchNorm(t([2, 3]), { training: true }),
  bad: [
    ['a weight of 2 for 3 channels', ({ t }) => ops.batchNorm(t([2, 3]), { training: true, weight: t([2]) }), ShapeError],
    ['a rank-1 input', ({ t }) => ops.batchNorm(t([3]), { training: true }), ShapeError],
  ],
};
CASES.layerNorm = {
  ok: ({ t }) => ops.layerNorm(t([2, 3]), 3),
  bad: [['3 features of an input of 4', ({ t }) => ops.layerNorm(t([2, 4]), 3), ShapeError]],
};
CASES.dropout = {
  ok: ({ t }) => ops.dropout(t([2, 3]), 0.5, { training: true, rng: rng() }),
  bad: [['p = 1.5', ({ t }) => ops.dropout(t([2, 3]), 1.5, { training: true, rng: rng() }), ArgumentError]],
};
CASES.conv2d = {
  ok: ({ t }) => ops.conv2d(t([1, 2, 4, 4]), t([3, 2, 3, 3]), t([3]), { padding: 1 }),
  bad: [
    ['a weight for 3 input channels', ({ t }) => ops.conv2d(t([1, 2, 4, 4]), t([3, 3, 3, 3])), ShapeError],
    ['stride [1]', ({ t }) => ops.conv2d(t([1, 2, 4, 4]), t([3, 2, 3, 3]), undefined, { stride: [1] as never }), ArgumentError],
    ['a rank-3 input', ({ t }) => ops.conv2d(t([2, 4, 4]), t([3, 2, 3, 3])), ShapeError],
  ],
};
CASES.maxPool2d = {
  ok: ({ t }) => ops.maxPool2d(t([1, 2, 4, 4]), 2),
  bad: [
    ['kernelSize null', ({ t }) => ops.maxPool2d(t([1, 2, 4, 4]), null as never), ArgumentError],
    ['kernelSize [2]', ({ t }) => ops.maxPool2d(t([1, 2, 4, 4]), [2] as never), ArgumentError],
    ['padding more than half the kernel', ({ t }) => ops.maxPool2d(t([1, 2, 4, 4]), 2, { padding: 2 }), ArgumentError],
  ],
};
CASES.avgPool2d = {
  ok: ({ t }) => ops.avgPool2d(t([1, 2, 4, 4]), 2),
  bad: [['kernelSize 0', ({ t }) => ops.avgPool2d(t([1, 2, 4, 4]), 0), ArgumentError]],
};
CASES.adaptiveAvgPool2d = {
  ok: ({ t }) => ops.adaptiveAvgPool2d(t([1, 2, 4, 4]), [2, null]),
  bad: [
    ['outputSize null', ({ t }) => ops.adaptiveAvgPool2d(t([1, 2, 4, 4]), null as never), ArgumentError],
    ['outputSize 0', ({ t }) => ops.adaptiveAvgPool2d(t([1, 2, 4, 4]), 0), ArgumentError],
  ],
};
CASES.cat = {
  ok: ({ t }) => ops.cat([t([2, 3]), t([1, 3])], 0),
  bad: [
    ['shapes that differ off the dimension', ({ t }) => ops.cat([t([2, 3]), t([2, 2])], 0), ShapeError],
    ['dim 2 of rank-2 tensors', ({ t }) => ops.cat([t([2, 3]), t([2, 3])], 2), ArgumentError],
    ['no tensors', () => ops.cat([], 0), ArgumentError],
  ],
};
CASES.broadcastShapes = {
  ok: () => ops.broadcastShapes('add', [2, 3], [3]),
  bad: [['[2, 3] and [2]', () => ops.broadcastShapes('add', [2, 3], [2]), ShapeError]],
};

/** The functions ops exports. */
const OP_NAMES = Object.entries(ops)
  .filter(([, v]) => typeof v === 'function')
  .map(([name]) => name)
  .sort();

function envOf(backend: BackendName): Env {
  return { backend, t: (shape) => Tensor.from(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => 0.1 * (i + 1)), shape, { backend }) };
}

function thrownBy(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** The same call on every backend: each must throw `error`, all with one message. */
function expectParity(call: Call, error: ErrorClass, message?: string): void {
  const thrown = BACKENDS.map((b) => [b, thrownBy(() => call(envOf(b)))] as const);
  for (const [b, e] of thrown) {
    expect(e, `${b} did not throw`).toBeInstanceOf(Error);
    expect((e as Error).constructor, `${b}: ${String(e)}`).toBe(error);
  }
  const messages = Object.fromEntries(thrown.map(([b, e]) => [b, (e as Error).message]));
  expect(messages).toEqual({ js: messages.js, native: messages.js, wasm: messages.js });
  if (message !== undefined) expect(messages.js).toBe(message);
}

describe('op error parity across js, native and wasm', () => {
  it('has cases for every function ops exports', () => {
    expect(Object.keys(CASES).sort()).toEqual(OP_NAMES);
  });

  it.each(Object.keys(CASES))('%s: the valid call runs on every backend', (op) => {
    for (const b of BACKENDS) expect(thrownBy(() => CASES[op]!.ok(envOf(b))), `${op} on ${b}`).toBeUndefined();
  });

  const rows = Object.entries(CASES).flatMap(([op, c]) => c.bad.map(([what, call, error, message]) => [`${op}: ${what}`, call, error, message] as const));
  it.each(rows)('%s', (_name, call, error, message) => expectParity(call, error, message));

  // Every tensor the valid call makes is disposed before the op runs: DisposedTensorError.
  it.each(Object.keys(CASES).filter((op) => op !== 'broadcastShapes'))('%s of a disposed tensor: DisposedTensorError on every backend', (op) => {
    expectParity((env) => {
      const disposing: Env = {
        ...env,
        t: (shape) => {
          const x = env.t(shape);
          x.dispose();
          return x;
        },
      };
      return CASES[op]!.ok(disposing);
    }, DisposedTensorError);
  });

  it('toArray, item and views of a disposed tensor throw, a second dispose does not', () => {
    for (const b of BACKENDS) {
      const x = envOf(b).t([2, 2]);
      const view = x.t();
      x.dispose();
      expect(() => x.toArray(), b).toThrow(DisposedTensorError);
      expect(() => view.toArray(), b).toThrow(DisposedTensorError);
      expect(() => x.reshape([4]).toArray(), b).toThrow(DisposedTensorError);
      const one = envOf(b).t([1]);
      one.dispose();
      expect(() => one.item(), b).toThrow(DisposedTensorError);
      expect(() => x.dispose(), b).not.toThrow();
    }
  });
});

describe('allocation parity', () => {
  // 2^33 elements: over every backend's limit (a typed array's 2^32, wasm32's 2^30 float32).
  it.each(BACKENDS)('%s: a tensor over the backend limit throws AllocationError naming the size and the limit', (b) => {
    const error = thrownBy(() => Tensor.zeros([2 ** 20, 2 ** 13], { backend: b }));
    expect(error).toBeInstanceOf(AllocationError);
    expect((error as Error).message).toMatch(new RegExp(`^${b} backend: cannot allocate 8589934592 float32 elements \\(32 GiB\\): .*at most`));
  });

  it('wasm: a tensor of 2^31 float32 (8 GiB) is over wasm32 memory: AllocationError, as js/native would say for 2^33', () => {
    const error = thrownBy(() => Tensor.zeros([2 ** 31], { backend: 'wasm' }));
    expect(error).toBeInstanceOf(AllocationError);
    expect((error as Error).message).toContain('wasm32 memory holds at most 4 GiB');
  });

  it.each(BACKENDS)('%s: a length that is not a count is an ArgumentError', (b) => {
    expect(() => Tensor.zeros([-1], { backend: b })).toThrow(Error);
  });
});
