/**
 * The average-pooling and slice (concatenation) parity suite, run once per fast backend by
 * pool-slice-kernels-parity-{native,wasm,wasm-scalar}.test.ts: each kernel on the backend against
 * the js backend's loops in float64 on the same seeded inputs, over DenseNet's shapes and many
 * random geometries (drawn from a fixed seed): pooled means within 1e-6 of the js values (inputs in
 * [−1, 1], so that is relative to the terms' scale); slices exactly, with the untouched part of
 * copyIntoSlice's output kept.
 */

import { describe, expect, it } from 'vitest';
import { getBackend, getKernel, Rng, type Backend } from '../../src/index.js';
import type { AdaptiveAvgPool2dGeometry, AvgPool2dGeometry } from '../../src/kernels/conv.js';
import type { SliceGeometry } from '../../src/kernels/layout.js';
import { againstJs64, randomArray } from './helpers.js';

const draw = new Rng(2024);
const between = (lo: number, hi: number) => lo + draw.nextInt(hi - lo + 1);

function randomAvg(): AvgPool2dGeometry {
  const [height, width] = [between(1, 11), between(1, 11)];
  const [kernelH, kernelW] = [between(1, Math.min(height, 4)), between(1, Math.min(width, 4))];
  return {
    batch: between(1, 3), channels: between(1, 5), height, width, kernelH, kernelW,
    strideH: between(1, 3), strideW: between(1, 3), padH: between(0, kernelH >> 1), padW: between(0, kernelW >> 1),
    countIncludePad: draw.nextInt(2) === 1,
  };
}

const AVG_SHAPES: AvgPool2dGeometry[] = [
  // DenseNet-121's transitions at batch 32 on CIFAR-10 (8×8 and 4×4 planes), a smaller copy of each.
  { batch: 4, channels: 128, height: 8, width: 8, kernelH: 2, kernelW: 2, strideH: 2, strideW: 2, padH: 0, padW: 0, countIncludePad: true },
  { batch: 4, channels: 256, height: 4, width: 4, kernelH: 2, kernelW: 2, strideH: 2, strideW: 2, padH: 0, padW: 0, countIncludePad: true },
  // Wider rows than a vector, padding counted and not.
  { batch: 2, channels: 3, height: 9, width: 21, kernelH: 3, kernelW: 3, strideH: 2, strideW: 2, padH: 1, padW: 1, countIncludePad: true },
  { batch: 2, channels: 3, height: 9, width: 21, kernelH: 3, kernelW: 3, strideH: 2, strideW: 2, padH: 1, padW: 1, countIncludePad: false },
  ...Array.from({ length: 30 }, randomAvg),
];

function randomAdaptive(): AdaptiveAvgPool2dGeometry {
  return { batch: between(1, 3), channels: between(1, 5), height: between(1, 12), width: between(1, 12), outH: between(1, 8), outW: between(1, 8) };
}

const ADAPTIVE_SHAPES: AdaptiveAvgPool2dGeometry[] = [
  { batch: 4, channels: 1024, height: 1, width: 1, outH: 1, outW: 1 }, // DenseNet-121's head on 32×32 images
  { batch: 2, channels: 64, height: 7, width: 7, outH: 1, outW: 1 }, // …and on 224×224 ones
  { batch: 2, channels: 3, height: 7, width: 5, outH: 3, outW: 2 },
  ...Array.from({ length: 30 }, randomAdaptive),
];

function randomSlice(): SliceGeometry {
  const total = between(1, 9);
  const offset = between(0, total);
  return { outer: between(0, 4), total, inner: between(1, 9), offset, size: between(0, total - offset) };
}

const SLICES: SliceGeometry[] = [
  { outer: 4, total: 256, inner: 64, offset: 224, size: 32 }, // DenseNet: a dense layer's new channels
  { outer: 1, total: 10, inner: 12, offset: 4, size: 6 }, // dim 0
  { outer: 12, total: 10, inner: 1, offset: 9, size: 1 }, // the last dim
  ...Array.from({ length: 30 }, randomSlice),
];

const name = (g: object) => Object.values(g).map(Number).join(',');
const pooled = (g: AvgPool2dGeometry) => [
  Math.floor((g.height + 2 * g.padH - g.kernelH) / g.strideH) + 1,
  Math.floor((g.width + 2 * g.padW - g.kernelW) / g.strideW) + 1,
];

/** Largest |got − want| over the named output. */
function maxDiff(got: Float64Array, want: Float64Array): number {
  return got.reduce((worst, v, i) => Math.max(worst, Math.abs(v - want[i]!)), 0);
}

export function describePoolSliceParity(label: string, make: () => Backend): void {
  describe(`average pooling and slice kernels on ${label} match js in float64`, () => {
    const backend = make();

    it.each(AVG_SHAPES.map((g) => [name(g), g] as const))('avgPool2d and its backward [%s]', (_n, g) => {
      const rng = new Rng(AVG_SHAPES.indexOf(g) + 1);
      const [oh, ow] = pooled(g);
      const [xLen, outLen] = [g.batch * g.channels * g.height * g.width, g.batch * g.channels * oh! * ow!];
      const forward = againstJs64(backend, { x: randomArray(rng, xLen), out: new Float32Array(outLen).fill(Number.NaN) }, (b, s) =>
        getKernel('avgPool2d', b.name)(b, { ...g, x: s.x!, out: s.out! }),
      );
      expect(maxDiff(forward.got.out.out!, forward.want.out.out!)).toBeLessThanOrEqual(1e-6);
      const backward = againstJs64(backend, { dout: randomArray(rng, outLen), dx: new Float32Array(xLen).fill(Number.NaN) }, (b, s) =>
        getKernel('avgPool2dBackward', b.name)(b, { ...g, dout: s.dout!, dx: s.dx! }),
      );
      expect(maxDiff(backward.got.out.dx!, backward.want.out.dx!)).toBeLessThanOrEqual(1e-6);
    });

    it.each(ADAPTIVE_SHAPES.map((g) => [name(g), g] as const))('adaptiveAvgPool2d and its backward [%s]', (_n, g) => {
      const rng = new Rng(ADAPTIVE_SHAPES.indexOf(g) + 100);
      const [xLen, outLen] = [g.batch * g.channels * g.height * g.width, g.batch * g.channels * g.outH * g.outW];
      const forward = againstJs64(backend, { x: randomArray(rng, xLen), out: new Float32Array(outLen).fill(Number.NaN) }, (b, s) =>
        getKernel('adaptiveAvgPool2d', b.name)(b, { ...g, x: s.x!, out: s.out! }),
      );
      expect(maxDiff(forward.got.out.out!, forward.want.out.out!)).toBeLessThanOrEqual(1e-6);
      const backward = againstJs64(backend, { dout: randomArray(rng, outLen), dx: new Float32Array(xLen).fill(Number.NaN) }, (b, s) =>
        getKernel('adaptiveAvgPool2dBackward', b.name)(b, { ...g, dout: s.dout!, dx: s.dx! }),
      );
      expect(maxDiff(backward.got.out.dx!, backward.want.out.dx!)).toBeLessThanOrEqual(1e-6);
    });

    it.each(SLICES.map((g) => [name(g), g] as const))('copyIntoSlice and copySlice [%s]', (_n, g) => {
      const rng = new Rng(SLICES.indexOf(g) + 200);
      const [pieceLen, wholeLen] = [g.outer * g.size * g.inner, g.outer * g.total * g.inner];
      const whole = randomArray(rng, wholeLen);
      const into = againstJs64(backend, { x: randomArray(rng, pieceLen), out: whole }, (b, s) =>
        getKernel('copyIntoSlice', b.name)(b, { ...g, x: s.x!, out: s.out! }),
      );
      expect(Array.from(into.got.out.out!)).toEqual(Array.from(into.want.out.out!));
      const from = againstJs64(backend, { x: whole, out: new Float32Array(pieceLen).fill(Number.NaN) }, (b, s) =>
        getKernel('copySlice', b.name)(b, { ...g, x: s.x!, out: s.out! }),
      );
      expect(Array.from(from.got.out.out!)).toEqual(Array.from(from.want.out.out!));
    });
  });
}
