/**
 * The convolution and max-pooling parity suite, run per fast backend and per direction by
 * conv-kernels-parity-{native,wasm,wasm-scalar}-{forward,backward-input,backward-weight}.test.ts
 * (the js float64 reference of the widest 3×3 dominates; one file per backend took 12–14 s in
 * CI, and a worker busy that long in synchronous calls is what once missed vitest's onTaskUpdate
 * deadline on a loaded machine, so each file now holds a third of that): each kernel on the backend
 * against the js backend's direct loops in float64 on the same seeded inputs, the ConvNet's
 * shapes and odd ones (strides, padding, 1×1, non-square), each float32 result within 1e-5 of the
 * sum of its terms' magnitudes; pooling exactly, ties and NaN included.
 */

import { describe, expect, it } from 'vitest';
import { getBackend, getKernel, Rng, type Backend } from '../../src/index.js';
import type { Conv2dGeometry, MaxPool2dGeometry } from '../../src/kernels/conv.js';
import { againstJs64, maxRelativeError, randomArray, type KernelArrays, type KernelStorages } from './helpers.js';

const js = getBackend('js');

/** [batch, in, height, width, out, kernelH, kernelW, strideH, strideW, padH, padW]. */
type ConvCase = [number, number, number, number, number, number, number, number, number, number, number];
const CONV_SHAPES: ConvCase[] = [
  [2, 3, 32, 32, 64, 3, 3, 1, 1, 1, 1], // the ConvNet's stem
  [2, 64, 16, 16, 128, 1, 1, 1, 1, 0, 0], // its 1×1 (no im2col)
  [2, 128, 16, 16, 128, 3, 3, 1, 1, 1, 1], // its widest 3×3
  [3, 5, 7, 9, 3, 3, 3, 2, 2, 1, 1],
  [1, 7, 5, 6, 2, 1, 1, 2, 2, 0, 0],
  [3, 1, 9, 4, 5, 3, 3, 1, 2, 0, 1],
  [2, 3, 5, 7, 3, 2, 3, 2, 1, 1, 0],
  [1, 2, 3, 3, 1, 3, 3, 1, 1, 0, 0],
];

/** [batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW]. */
type PoolCase = [number, number, number, number, number, number, number, number, number, number];
const POOL_SHAPES: PoolCase[] = [
  [2, 64, 32, 32, 3, 3, 2, 2, 1, 1], // the ConvNet's
  [3, 5, 8, 8, 2, 2, 2, 2, 0, 0],
  [1, 3, 7, 9, 2, 2, 2, 2, 0, 0],
  [2, 2, 5, 6, 3, 2, 1, 2, 1, 1],
];

function convGeometry([batch, inChannels, height, width, outChannels, kernelH, kernelW, strideH, strideW, padH, padW]: ConvCase): Conv2dGeometry {
  return { batch, inChannels, height, width, outChannels, kernelH, kernelW, strideH, strideW, padH, padW };
}

function poolGeometry([batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW]: PoolCase): MaxPool2dGeometry {
  return { batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW };
}

const outSize = (g: Conv2dGeometry | MaxPool2dGeometry): [number, number] => [
  Math.floor((g.height + 2 * g.padH - g.kernelH) / g.strideH) + 1,
  Math.floor((g.width + 2 * g.padW - g.kernelW) / g.strideW) + 1,
];

/** Σ|term| of each output: the same kernel on js over the inputs' absolute values. */
function magnitudes(arrays: KernelArrays, call: (b: Backend, s: KernelStorages) => void): Record<string, Float64Array> {
  const abs = Object.fromEntries(Object.entries(arrays).map(([k, a]) => [k, Float64Array.from(a, Math.abs)]));
  const storages = Object.fromEntries(Object.entries(abs).map(([k, a]) => [k, js.upload(a)]));
  call(js, storages);
  return Object.fromEntries(Object.entries(storages).map(([k, s]) => [k, Float64Array.from(js.view(s))]));
}

/** `call` on `backend` and on js in float64: each named output within 1e-5 of its magnitude. */
function expectParity(backend: Backend, arrays: KernelArrays, outputs: string[], call: (b: Backend, s: KernelStorages) => void): void {
  const { got, want } = againstJs64(backend, arrays, call);
  const scale = magnitudes(arrays, call);
  for (const name of outputs) {
    expect(maxRelativeError(got.out[name]!, want.out[name]!, scale[name]!), name).toBeLessThanOrEqual(1e-5);
  }
}

/** Which kernels a file checks: the forward ones, the input gradients, or the weight gradients. */
export type ConvParityPart = 'forward' | 'backward-input' | 'backward-weight';

export function describeConvParity(label: string, make: () => Backend, part: ConvParityPart): void {
  describe(`convolution and pooling kernels on ${label} match js in float64 (${part})`, () => {
    const backend = make();

    describe.each(CONV_SHAPES.map((c) => [c.join(','), c] as const))('conv2d [%s]', (_name, c) => {
      const g = convGeometry(c);
      const [oh, ow] = outSize(g);
      const xLen = g.batch * g.inChannels * g.height * g.width;
      const wLen = g.outChannels * g.inChannels * g.kernelH * g.kernelW;
      const outLen = g.batch * g.outChannels * oh * ow;
      const rng = new Rng(c.reduce((a, v) => a * 7 + v, 1));
      const x = randomArray(rng, xLen);
      const weight = randomArray(rng, wLen);
      const bias = randomArray(rng, g.outChannels);
      const dout = randomArray(rng, outLen);

      if (part === 'forward') {
        it.each([true, false])('forward, bias %s', (withBias) => {
          const arrays: KernelArrays = { x, weight, bias, out: new Float32Array(outLen).fill(Number.NaN) };
          expectParity(backend, arrays, ['out'], (b, s) =>
            getKernel('conv2d', b.name)(b, { ...g, x: s.x!, weight: s.weight!, bias: withBias ? s.bias : undefined, out: s.out! }),
          );
        });
        return;
      }

      if (part === 'backward-input') {
        it('backward input', () => {
          const arrays: KernelArrays = { dout, weight, dx: new Float32Array(xLen).fill(Number.NaN) };
          expectParity(backend, arrays, ['dx'], (b, s) => getKernel('conv2dBackwardInput', b.name)(b, { ...g, dout: s.dout!, weight: s.weight!, dx: s.dx! }));
        });
        return;
      }

      it.each([true, false])('backward weight, dbias %s', (withBias) => {
        const arrays: KernelArrays = { x, dout, dweight: new Float32Array(wLen).fill(Number.NaN), dbias: new Float32Array(g.outChannels).fill(Number.NaN) };
        expectParity(backend, arrays, withBias ? ['dweight', 'dbias'] : ['dweight'], (b, s) =>
          getKernel('conv2dBackwardWeight', b.name)(b, { ...g, x: s.x!, dout: s.dout!, dweight: s.dweight!, dbias: withBias ? s.dbias : undefined }),
        );
      });
    });

    // Pooling has no weights: the backward-weight files hold no pooling cases (an empty describe
    // is a vitest failure).
    if (part === 'backward-weight') return;
    describe.each(POOL_SHAPES.map((c) => [c.join(','), c] as const))('maxPool2d [%s]', (_name, c) => {
      const g = poolGeometry(c);
      const [oh, ow] = outSize(g);
      const xLen = g.batch * g.channels * g.height * g.width;
      const outLen = g.batch * g.channels * oh * ow;
      const rng = new Rng(c.reduce((a, v) => a * 5 + v, 3));
      // Quarters in [−1, 1]: many ties in a window; and a few NaNs.
      const x = randomArray(rng, xLen).map((v) => Math.round(v * 4) / 4);
      for (const at of [5, 17, 18, 40]) if (at < xLen) x[at] = Number.NaN;

      if (part === 'forward') {
        it('forward: values and indices exactly', () => {
          const indices = { got: new Int32Array(outLen).fill(-1), want: new Int32Array(outLen).fill(-1) };
          const { got, want } = againstJs64(backend, { x, out: new Float32Array(outLen) }, (b, s) =>
            getKernel('maxPool2d', b.name)(b, { ...g, x: s.x!, out: s.out!, indices: b === backend ? indices.got : indices.want }),
          );
          expect(Array.from(indices.got)).toEqual(Array.from(indices.want));
          expect(Array.from(got.out.out!)).toEqual(Array.from(want.out.out!));
        });
        return;
      }

      it('backward: dout routed to the js indices', () => {
        const indices = new Int32Array(outLen);
        const out = js.upload(new Float64Array(outLen));
        getKernel('maxPool2d', 'js')(js, { ...g, x: js.upload(Float64Array.from(x)), out, indices });
        const arrays: KernelArrays = { dout: randomArray(rng, outLen), dx: new Float32Array(xLen).fill(Number.NaN) };
        expectParity(backend, arrays, ['dx'], (b, s) => getKernel('maxPool2dBackward', b.name)(b, { ...g, dout: s.dout!, indices, dx: s.dx! }));
      });
    });
  });
}
