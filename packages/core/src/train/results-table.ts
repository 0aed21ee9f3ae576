/**
 * The Markdown page of a reproduction (docs/results/mlp.md): the practical's table with our
 * test accuracy beside the course's reference and PyTorch's on this copy of the data, wall time
 * and training speed per setup, and each run's plots.
 */

import type { DoneRecord } from './run.js';
import type { SetupPreset } from './setups.js';

export interface ResultRow {
  preset: SetupPreset;
  /** Hyperparameters actually used (the preset's, steps scaled). */
  steps: number;
  done?: DoneRecord;
  /** The run folder, relative to the page (for the plot links). */
  runPath: string;
}

export interface ResultsPage {
  title: string;
  command: string;
  /** One line about where it ran (CPU, threads, backend). */
  machine: string;
  date: string;
  rows: readonly ResultRow[];
}

const fmt = (x: number, digits: number) => (Number.isFinite(x) ? x.toFixed(digits) : '–');

function describeArchitecture(preset: SetupPreset): string[] {
  const a = preset.architecture as { hidden?: number[]; norm?: string; optimizer?: string; activation?: string };
  return [
    (a.hidden ?? []).join(', '),
    a.norm ?? '–',
    a.optimizer ?? 'sgd',
    a.activation ?? 'elu',
  ];
}

/** The cells "dlp test acc | reference | PyTorch here | dlp − ref | wall (s) | train steps/s" of a row. */
export function measuredCells({ preset, done }: ResultRow): string[] {
  return done
    ? [fmt(done.test_accuracy, 4), fmt(preset.referenceAccuracy, 3), fmt(preset.pytorchAccuracyHere, 3),
       `${done.test_accuracy - preset.referenceAccuracy >= 0 ? '+' : ''}${fmt(done.test_accuracy - preset.referenceAccuracy, 3)}`,
       fmt(done.wall_s, 1), fmt(done.train_steps_per_s, 1)]
    : ['not run', fmt(preset.referenceAccuracy, 3), fmt(preset.pytorchAccuracyHere, 3), '', '', ''];
}

/** One table row per finished run with its loss and accuracy plots. */
export function curveRows(rows: readonly ResultRow[]): string[] {
  return rows.filter((r) => r.done).map((r) => `| ${r.preset.name} | ![loss](${r.runPath}/loss.png) | ![accuracy](${r.runPath}/accuracy.png) |`);
}

export function renderResultsPage(page: ResultsPage): string {
  const header =
    '| setup | hidden | norm | optimizer | activation | lr | batch | steps | dlp test acc | reference | PyTorch here | dlp − ref | wall (s) | train steps/s |\n' +
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|';
  const lines = page.rows.map((row) => {
    const d = row.preset.defaults;
    return `| ${[row.preset.name, ...describeArchitecture(row.preset), String(d.lr), String(d.batchSize), String(row.steps), ...measuredCells(row)].join(' | ')} |`;
  });
  const plots = curveRows(page.rows);
  return [
    `# ${page.title}`,
    '',
    `Made by \`${page.command}\` on ${page.date}.`,
    `Machine: ${page.machine}.`,
    '',
    'Test accuracy on the full 10 000-image test set after the last step. "reference" is the',
    'course\'s table (DESIGN.md), "PyTorch here" what PyTorch reached on this copy of the data.',
    'Wall time is the whole run (data loading, training, every evaluation, plots, checkpoint);',
    'steps/s counts training steps only. Each run\'s folder holds config.json and metrics.jsonl.',
    '',
    header,
    ...lines,
    '',
    '## Curves',
    '',
    '| setup | loss | accuracy |',
    '|---|---|---|',
    ...plots,
    '',
  ].join('\n');
}
