/**
 * The page of `dlp reproduce all` (docs/results/all.md): every experiment of the practical in
 * one table, our test accuracy beside the course's reference and PyTorch's on this copy of the
 * data, then the transfer experiment (its own page, transfer.md, has the details) and every
 * run's curves.
 */

import { curveRows, measuredCells, type ResultsPage } from './results-table.js';
import type { TransferResult } from './transfer.js';

const fmt = (x: number, digits: number) => (Number.isFinite(x) ? x.toFixed(digits) : '–');

export function renderAllPage(page: ResultsPage, transfer?: TransferResult): string {
  const header =
    '| experiment | what | steps | dlp test acc | reference | PyTorch here | dlp − ref | wall (s) | train steps/s |\n' +
    '|---|---|---|---|---|---|---|---|---|';
  const lines = page.rows.map((row) => `| ${[row.preset.name, row.preset.description.replace(/\|/g, '/'), String(row.steps), ...measuredCells(row)].join(' | ')} |`);
  if (transfer) {
    const { finetune, scratch } = transfer;
    lines.push(
      `| transfer | ${finetune.config.setup} pretrained on classes 0–4, fine-tuned on 5–9 (accuracy on 5–9; from scratch with the same budget: ${fmt(scratch.done.test_accuracy, 4)}) | ` +
        `${finetune.done.steps} | ${fmt(finetune.done.test_accuracy, 4)} | 0.854 vs 0.812 (DenseNet-121 from ImageNet, see below) | – | ` +
        `${finetune.done.test_accuracy - scratch.done.test_accuracy >= 0 ? '+' : ''}${fmt(finetune.done.test_accuracy - scratch.done.test_accuracy, 3)} vs scratch | ` +
        `${fmt(transfer.pretrain.done.wall_s + finetune.done.wall_s + scratch.done.wall_s, 1)} | ${fmt(finetune.done.train_steps_per_s, 1)} |`,
    );
  }
  const plots = curveRows(page.rows);
  return [
    `# ${page.title}`,
    '',
    `Made by \`${page.command}\` on ${page.date}.`,
    `Machine: ${page.machine}.`,
    '',
    'Test accuracy on the full 10 000-image test set after the last step (the transfer row: on the',
    '5 000 test images of classes 5–9). "reference" is the course\'s table (DESIGN.md), "PyTorch',
    'here" what PyTorch reached on this copy of the data. Wall time is the whole run (data, training,',
    'every evaluation, plots, checkpoints); steps/s counts training steps only. With',
    '`--steps-scale` below 1 every run is shortened by that factor and the accuracies are not',
    'comparable with the references.',
    '',
    header,
    ...lines,
    '',
    ...(transfer
      ? [
          'The transfer experiment runs here without downloads (ImageNet weights cannot be fetched on',
          'these machines): [all/transfer.md](all/transfer.md) has its table and curves, and how to run the',
          "practical's DenseNet-121 experiment with torchvision's ImageNet weights.",
          '',
          '![transfer: fine-tuned vs from scratch](all/transfer/compare.png)',
          '',
        ]
      : []),
    '## Curves',
    '',
    '| experiment | loss | accuracy |',
    '|---|---|---|',
    ...plots,
    '',
  ].join('\n');
}
