/**
 * Convolution and max pooling in plain loops on NCHW tensors, float32 or float64 storages,
 * sums in float64 (rounded once when stored): the oracle the fast backends are compared with.
 * Direct loops, no im2col: every (image, output channel, position, input channel, tap) once.
 * Shapes and the output-size rule: kernels/conv.ts. Arguments arrive checked (conv-kernels.ts).
 */

import type { Conv2dArgs, Conv2dBackwardInputArgs, Conv2dBackwardWeightArgs, Conv2dGeometry, MaxPool2dArgs, MaxPool2dBackwardArgs, MaxPool2dGeometry } from '../../kernels/conv.js';
import type { OnArrays } from './norm-optim.js';

/** Output height and width, PyTorch's rule: ⌊(size + 2·pad − kernel)/stride⌋ + 1. */
export function outputSize(g: Conv2dGeometry | MaxPool2dGeometry): [number, number] {
  return [
    Math.floor((g.height + 2 * g.padH - g.kernelH) / g.strideH) + 1,
    Math.floor((g.width + 2 * g.padW - g.kernelW) / g.strideW) + 1,
  ];
}

/** Every tap whose input pixel is not padding: the out, x and weight element it joins. */
function forEachTap(g: Conv2dGeometry, visit: (out: number, x: number, weight: number) => void): void {
  const [oh, ow] = outputSize(g);
  const { inChannels: C, height: H, width: W, kernelH: KH, kernelW: KW } = g;
  for (let n = 0; n < g.batch; n++) {
    for (let oc = 0; oc < g.outChannels; oc++) {
      for (let y = 0; y < oh; y++) {
        for (let xo = 0; xo < ow; xo++) {
          const out = ((n * g.outChannels + oc) * oh + y) * ow + xo;
          for (let c = 0; c < C; c++) {
            for (let ki = 0; ki < KH; ki++) {
              const ih = y * g.strideH + ki - g.padH;
              if (ih < 0 || ih >= H) continue;
              for (let kj = 0; kj < KW; kj++) {
                const iw = xo * g.strideW + kj - g.padW;
                if (iw < 0 || iw >= W) continue;
                visit(out, ((n * C + c) * H + ih) * W + iw, ((oc * C + c) * KH + ki) * KW + kj);
              }
            }
          }
        }
      }
    }
  }
}

/** Elements per output channel plane. */
const positions = (g: Conv2dGeometry): number => outputSize(g).reduce((a, b) => a * b, 1);

export function conv2dReference(a: OnArrays<Conv2dArgs>): void {
  const { x, weight, bias, out } = a;
  const per = positions(a);
  const sums = Float64Array.from(out, (_, i) => (bias ? bias[Math.floor(i / per) % a.outChannels]! : 0));
  forEachTap(a, (o, xi, wi) => (sums[o]! += x[xi]! * weight[wi]!));
  out.set(sums);
}

export function conv2dBackwardInputReference(a: OnArrays<Conv2dBackwardInputArgs>): void {
  const { dout, weight, dx } = a;
  const sums = new Float64Array(dx.length);
  forEachTap(a, (o, xi, wi) => (sums[xi]! += dout[o]! * weight[wi]!));
  dx.set(sums);
}

export function conv2dBackwardWeightReference(a: OnArrays<Conv2dBackwardWeightArgs>): void {
  const { x, dout, dweight, dbias } = a;
  const sums = new Float64Array(dweight.length);
  forEachTap(a, (o, xi, wi) => (sums[wi]! += dout[o]! * x[xi]!));
  dweight.set(sums);
  if (dbias) {
    const per = positions(a);
    const biasSums = new Float64Array(a.outChannels);
    dout.forEach((d, i) => (biasSums[Math.floor(i / per) % a.outChannels]! += d));
    dbias.set(biasSums);
  }
}

/** Max over each window clipped to the plane; the first maximum's h·width + w, a NaN winning (the first one). */
export function maxPool2dReference(a: OnArrays<MaxPool2dArgs>): void {
  const { x, out, indices, height: H, width: W } = a;
  const [oh, ow] = outputSize(a);
  for (let p = 0; p < a.batch * a.channels; p++) {
    for (let y = 0; y < oh; y++) {
      const h0 = Math.max(y * a.strideH - a.padH, 0);
      const h1 = Math.min(y * a.strideH - a.padH + a.kernelH, H);
      for (let xo = 0; xo < ow; xo++) {
        const w0 = Math.max(xo * a.strideW - a.padW, 0);
        const w1 = Math.min(xo * a.strideW - a.padW + a.kernelW, W);
        let at = h0 * W + w0;
        let best = x[p * H * W + at]!;
        for (let h = h0; h < h1; h++) {
          for (let w = w0; w < w1; w++) {
            const v = x[p * H * W + h * W + w]!;
            // Strictly greater keeps the first maximum; a NaN replaces a number, never another NaN.
            if (v > best || (v !== v && best === best)) [best, at] = [v, h * W + w];
          }
        }
        out[(p * oh + y) * ow + xo] = best;
        indices[(p * oh + y) * ow + xo] = at;
      }
    }
  }
}

export function maxPool2dBackwardReference(a: OnArrays<MaxPool2dBackwardArgs>): void {
  const { dout, indices, dx } = a;
  const per = outputSize(a).reduce((s, v) => s * v, 1);
  const plane = a.height * a.width;
  const sums = new Float64Array(dx.length);
  dout.forEach((d, i) => (sums[Math.floor(i / per) * plane + indices[i]!]! += d));
  dx.set(sums);
}
