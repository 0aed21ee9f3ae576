/**
 * The practical's pre-activation ResNet-style ConvNet (DESIGN.md, experiment 4), for 3×32×32
 * images: conv0 3×3 3→64; PreAct1; conv1 1×1 64→128; maxpool; PreAct2_a/b; conv2 1×1 128→256;
 * maxpool; PreAct3_a/b; conv3 1×1 256→512; maxpool; PreAct4_a/b; maxpool; PreAct5_a/b; maxpool;
 * BatchNorm + ReLU; Linear 512→10. Every maxpool is 3×3, stride 2, padding 1 (32→16→8→4→2→1).
 * `channels` narrows the four widths (64, 128, 256, 512) with the same layers and names, for
 * tests that need a whole ConvNet's weights in a small file.
 */

import type { PlacementOptions } from '../placement.js';
import { ReLU } from '../nn/activation.js';
import { Conv2d, MaxPool2d } from '../nn/conv.js';
import { Linear } from '../nn/linear.js';
import { Module } from '../nn/module.js';
import { BatchNorm2d } from '../nn/normalization.js';
import { add, relu } from '../ops/elementwise.js';
import type { Rng } from '../random.js';
import type { Tensor } from '../tensor.js';

type Options = PlacementOptions & { rng?: Rng };

/** The widths of the four stages: conv0/PreAct1, PreAct2, PreAct3, PreAct4–5 (the practical's 64, 128, 256, 512). */
export type ConvNetChannels = readonly [number, number, number, number];

/** x + Conv3×3(ReLU(BatchNorm(x))), padding 1: the residual block of a pre-activation ResNet. */
export class PreActBlock extends Module {
  readonly bn: BatchNorm2d;
  readonly conv: Conv2d;

  constructor(channels: number, options: Options = {}) {
    super();
    this.bn = this.registerModule('bn', new BatchNorm2d(channels, options));
    this.conv = this.registerModule('conv', new Conv2d(channels, channels, 3, { ...options, padding: 1 }));
  }

  forward(x: Tensor): Tensor {
    return add(x, this.conv.forward(relu(this.bn.forward(x))));
  }
}

export class ConvNet extends Module {
  /** The stages in order, by their state-dict names. */
  readonly #stages: [string, Module][] = [];
  readonly linear: Linear;

  constructor(options: Options & { channels?: ConvNetChannels } = {}) {
    super();
    const { channels = [64, 128, 256, 512], ...layerOptions } = options;
    const [c1, c2, c3, c4] = channels;
    const pool = () => new MaxPool2d(3, { stride: 2, padding: 1 });
    const stage = (name: string, module: Module) => this.#stages.push([name, this.registerModule(name, module)]);
    stage('conv0', new Conv2d(3, c1, 3, { ...layerOptions, padding: 1 }));
    stage('preact1', new PreActBlock(c1, layerOptions));
    stage('conv1', new Conv2d(c1, c2, 1, layerOptions));
    stage('maxpool1', pool());
    stage('preact2_a', new PreActBlock(c2, layerOptions));
    stage('preact2_b', new PreActBlock(c2, layerOptions));
    stage('conv2', new Conv2d(c2, c3, 1, layerOptions));
    stage('maxpool2', pool());
    stage('preact3_a', new PreActBlock(c3, layerOptions));
    stage('preact3_b', new PreActBlock(c3, layerOptions));
    stage('conv3', new Conv2d(c3, c4, 1, layerOptions));
    stage('maxpool3', pool());
    stage('preact4_a', new PreActBlock(c4, layerOptions));
    stage('preact4_b', new PreActBlock(c4, layerOptions));
    stage('maxpool4', pool());
    stage('preact5_a', new PreActBlock(c4, layerOptions));
    stage('preact5_b', new PreActBlock(c4, layerOptions));
    stage('maxpool5', pool());
    stage('norm', new BatchNorm2d(c4, layerOptions));
    stage('relu', new ReLU());
    this.linear = this.registerModule('linear', new Linear(c4, 10, layerOptions));
  }

  /** x [N, 3, 32, 32] → logits [N, 10]. */
  forward(x: Tensor): Tensor {
    let out = x;
    for (const [, module] of this.#stages) out = module.forward(out);
    return this.linear.forward(out.flatten(1));
  }
}
