/**
 * A transfer-learning experiment that runs without downloads (`dlp reproduce transfer`, and part
 * of `dlp reproduce all`): a network is pretrained on CIFAR-10's classes 0–4 (airplane,
 * automobile, bird, cat, deer), then trained on classes 5–9 (dog, frog, horse, ship, truck) with a
 * small budget twice: once starting from the pretrained features with a fresh head (every layer
 * fine-tuned, as the practical's DenseNet-121 experiment does with ImageNet weights), once from
 * scratch with the same budget and seed. Both are evaluated on the test images of classes 5–9.
 * The page (<outDir>/transfer.md) has the table, the two accuracy curves on one chart and each
 * run's plots; the runs go to <outDir>/transfer/{pretrain,finetune,scratch}/.
 */

import { onlyClasses } from '../data/class-subset.js';
import type { Cifar10 } from '../data/cifar10-split.js';
import { openCifar10 } from '../data/resolve.js';
import { ArgumentError, MissingDependencyError } from '../errors.js';
import { writeFileAtomic, writeFileAtomicSync } from '../io/atomic-write.js';
import { loadWeights } from '../io/load-weights.js';
import { encodeSafetensors } from '../io/safetensors.js';
import { withoutHead } from '../models/pretrained.js';
import { nodeBuiltins } from '../node-builtins.js';
import { pickGiven } from '../pick-given.js';
import { lineChartConfig } from '../plot/line-chart.js';
import { renderLineChartPng } from '../plot/render-png.js';
import type { EvalRecord } from './loop.js';
import { runExperiment, type RunOptions, type RunResult } from './run.js';
import { getSetup } from './setups.js';

export interface TransferOptions extends Pick<RunOptions, 'backend' | 'dataDir' | 'data' | 'seed' | 'onEval' | 'onStep' | 'onStart' | 'onDownload' | 'signal'> {
  /** The network, a setup that takes pretrained weights (default 'convnet'). */
  setup?: string;
  /** Folder of transfer.md; the runs go to <outDir>/transfer/. */
  outDir: string;
  /** Multiplies the step budgets and evaluation intervals below (at least 1 each). Default 1. */
  stepsScale?: number;
  /** Pretraining steps on classes 0–4 (default 1500), evaluated every `pretrainEvalFreq` (default 500). */
  pretrainSteps?: number;
  pretrainEvalFreq?: number;
  /** The budget on classes 5–9 for each of the two runs (default 300), evaluated every `evalFreq` (default 50). */
  finetuneSteps?: number;
  evalFreq?: number;
  /** Called when each of the three runs starts, with its role. */
  onRun?: (role: TransferRole) => void;
  /** How the page quotes the command and the machine. */
  command?: string;
  machine?: string;
}

export type TransferRole = 'pretrain' | 'finetune' | 'scratch';

export interface TransferResult {
  page: string;
  pretrain: RunResult;
  finetune: RunResult;
  scratch: RunResult;
}

export const PRETRAIN_CLASSES = [0, 1, 2, 3, 4] as const;
export const TRANSFER_CLASSES = [5, 6, 7, 8, 9] as const;

/** CIFAR-10 restricted to some classes in both splits (labels kept: the 10-way head applies). */
function restrict(cifar: Cifar10, classes: readonly number[]): Cifar10 {
  return { ...cifar, train: onlyClasses(cifar.train, classes), test: onlyClasses(cifar.test, classes) };
}

const scaled = (steps: number, scale: number) => Math.max(1, Math.round(steps * scale));

export async function runTransfer(options: TransferOptions): Promise<TransferResult> {
  const scale = options.stepsScale ?? 1;
  if (!(Number.isFinite(scale) && scale > 0)) throw new ArgumentError(`--steps-scale must be a positive number, got ${scale}`);
  const setup = getSetup(options.setup ?? 'convnet');
  const head = setup.head;
  if (head === undefined) throw new ArgumentError(`transfer: setup '${setup.name}' does not take pretrained weights (densenet121 and convnet do)`);
  const { path } = nodeBuiltins('runTransfer');
  const root = path.resolve(options.outDir, 'transfer');
  const cifar =
    options.data ??
    (await openCifar10({
      ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
      ...(options.onDownload ? { onProgress: options.onDownload } : {}),
    }));
  const pretrainData = restrict(cifar, PRETRAIN_CLASSES);
  const transferData = restrict(cifar, TRANSFER_CLASSES);

  const common = {
    setup: setup.name,
    overwrite: true,
    ...pickGiven(options, ['backend', 'seed', 'onEval', 'onStep', 'onStart', 'signal']),
  } satisfies RunOptions;
  const budget = { steps: scaled(options.finetuneSteps ?? 300, scale), evalFreq: scaled(options.evalFreq ?? 50, scale) };

  options.onRun?.('pretrain');
  const pretrain = await runExperiment({
    ...common,
    data: pretrainData,
    steps: scaled(options.pretrainSteps ?? 1500, scale),
    evalFreq: scaled(options.pretrainEvalFreq ?? 500, scale),
    out: path.join(root, 'pretrain'),
  });
  // The pretrained network without its head: the fine-tuned run starts with a fresh one.
  const features = path.join(root, 'pretrain', 'features.safetensors');
  const pretrained = await loadWeights(pretrain.runDir.model);
  await writeFileAtomic(features, encodeSafetensors(withoutHead(pretrained.tensors, head), { format: 'pt', ...pretrained.metadata, head_removed: head }));
  options.onRun?.('finetune');
  const finetune = await runExperiment({ ...common, ...budget, data: transferData, weights: features, out: path.join(root, 'finetune') });
  options.onRun?.('scratch');
  const scratch = await runExperiment({ ...common, ...budget, data: transferData, out: path.join(root, 'scratch') });

  const comparison = path.join(root, 'compare.png');
  const drawn = await drawComparison(comparison, finetune.evals, scratch.evals, setup.name);
  const page = path.resolve(options.outDir, 'transfer.md');
  writeFileAtomicSync(page, renderTransferPage({ pretrain, finetune, scratch, comparison: drawn ? 'transfer/compare.png' : undefined, ...options }));
  return { page, pretrain, finetune, scratch };
}

/** Test accuracy of the fine-tuned and the from-scratch runs against the step, on one chart. */
async function drawComparison(file: string, finetune: readonly EvalRecord[], scratch: readonly EvalRecord[], setup: string): Promise<boolean> {
  const config = lineChartConfig({
    title: `${setup}: classes 5–9, pretrained on 0–4 vs from scratch`,
    xLabel: 'step',
    yLabel: 'test accuracy (classes 5–9)',
    series: [
      { label: 'pretrained features, new head', points: finetune.map((r) => [r.step, r.test_accuracy] as const) },
      { label: 'from scratch', points: scratch.map((r) => [r.step, r.test_accuracy] as const), dashed: true },
    ],
  });
  try {
    await writeFileAtomic(file, await renderLineChartPng(config, { width: 800, height: 500 }));
    return true;
  } catch (error) {
    if (!(error instanceof MissingDependencyError)) throw error;
    console.warn(`dlp: ${file} not drawn: ${error.message}`);
    return false;
  }
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

export function renderTransferPage(r: {
  pretrain: RunResult;
  finetune: RunResult;
  scratch: RunResult;
  comparison: string | undefined;
  command?: string;
  machine?: string;
}): string {
  const row = (name: string, classes: string, run: RunResult, from: string) =>
    `| ${name} | ${classes} | ${from} | ${run.done.steps} | ${pct(run.done.test_accuracy)} | ${run.done.test_loss.toFixed(4)} | ${run.done.wall_s.toFixed(0)} |`;
  const gain = r.finetune.done.test_accuracy - r.scratch.done.test_accuracy;
  // The first evaluation after some training (the loop also evaluates after step 1).
  const firstEval = (run: RunResult) => run.evals.find((e) => e.step > 1);
  const f0 = firstEval(r.finetune);
  const s0 = firstEval(r.scratch);
  return [
    '# Transfer learning on CIFAR-10, without downloads',
    '',
    ...(r.command ? [`Made by \`${r.command}\` on ${new Date().toISOString().slice(0, 10)}.`] : []),
    ...(r.machine ? [`Machine: ${r.machine}.`] : []),
    '',
    `The ${r.pretrain.config.setup} setup's network is pretrained on the five classes 0–4 (airplane, automobile, bird, cat,`,
    'deer), then trained on the other five (dog, frog, horse, ship, truck) with the same small budget twice:',
    'from the pretrained weights with a fresh head (`--weights transfer/pretrain/features.safetensors`, the',
    'pretrained model without its head: every layer',
    'fine-tuned) and from scratch. Same seed, optimiser, batch size and data order; accuracy on the',
    '5 000 test images of classes 5–9 (chance: 20 %).',
    '',
    '| run | classes | starts from | steps | test accuracy | test loss | wall (s) |',
    '|---|---|---|---|---|---|---|',
    row('pretrain', '0–4', r.pretrain, 'scratch'),
    row('fine-tune', '5–9', r.finetune, 'pretrain, new head'),
    row('scratch', '5–9', r.scratch, 'scratch'),
    '',
    `With the same budget the pretrained features give ${gain >= 0 ? '+' : ''}${(100 * gain).toFixed(1)} points` +
      (f0 && s0 ? ` (after ${f0.step} steps: ${pct(f0.test_accuracy)} against ${pct(s0.test_accuracy)}).` : '.'),
    '',
    ...(r.comparison ? [`![fine-tuned vs from scratch](${r.comparison})`, ''] : []),
    '| run | loss | accuracy |',
    '|---|---|---|',
    ...(['pretrain', 'finetune', 'scratch'] as const).map((name) => `| ${name} | ![loss](transfer/${name}/loss.png) | ![accuracy](transfer/${name}/accuracy.png) |`),
    '',
    '## The practical\'s experiment, with ImageNet weights',
    '',
    'Part 4b of the practical fine-tunes torchvision\'s DenseNet-121, pretrained on ImageNet, on',
    'CIFAR-10 (reference 0.854, against 0.812 from scratch). These machines cannot download the',
    'weights; with internet access:',
    '',
    '```sh',
    "python -c \"import torch, torchvision; torch.save(torchvision.models.densenet121(weights='IMAGENET1K_V1').state_dict(), 'densenet121.pth')\"",
    'pnpm dlp train --setup densenet121 --weights densenet121.pth            # every layer fine-tuned',
    'pnpm dlp train --setup densenet121 --weights densenet121.pth --freeze-features   # only the head',
    '```',
    '',
    "The `.pth` is read directly (no code runs: only state-dict pickles are accepted); a",
    '`.safetensors` export works the same way (`safetensors.torch.save_file(model.state_dict(), …)`).',
    'torchvision\'s names load unchanged (old checkpoints\' `norm.1`-style names are mapped), the',
    '1000-class head is replaced by a fresh 10-class one.',
    '',
  ].join('\n');
}
