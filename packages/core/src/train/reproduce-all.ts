/**
 * `dlp reproduce all`: every experiment of the practical in turn (the NumPy MLP, setups 1–9, the
 * ConvNet, then the transfer experiment, whose own page goes to <outDir>/all/transfer.md), one
 * results page (<outDir>/all.md) rewritten after each,
 * so an interrupted reproduction keeps every finished row.
 */

import { writeFileAtomicSync } from '../io/atomic-write.js';
import { nodeBuiltins } from '../node-builtins.js';
import { pickGiven } from '../pick-given.js';
import { renderAllPage } from './all-results-page.js';
import { reproduce, type ReproduceOptions } from './reproduce.js';
import type { ResultsPage } from './results-table.js';
import type { RunResult } from './run.js';
import { runTransfer, type TransferOptions, type TransferResult } from './transfer.js';

/** The practical's experiments trained from scratch, in the course's order. */
export const ALL_SETUPS = ['numpy', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'convnet'] as const;

export interface ReproduceAllOptions extends Omit<ReproduceOptions, 'setups' | 'group' | 'title' | 'render'> {
  /** Subset of ALL_SETUPS (default all of them); the transfer experiment runs unless `transfer: false`. */
  setups?: readonly string[];
  transfer?: false | Pick<TransferOptions, 'setup' | 'pretrainSteps' | 'pretrainEvalFreq' | 'finetuneSteps' | 'evalFreq' | 'onRun'>;
}

export interface ReproduceAllResult {
  page: string;
  results: RunResult[];
  transfer?: TransferResult;
}

export const ALL_TITLE = 'Every experiment of the CIFAR-10 practical (DESIGN.md, experiments 1–5)';

export async function reproduceAll(options: ReproduceAllOptions): Promise<ReproduceAllResult> {
  let last: ResultsPage | undefined;
  const { page, results } = await reproduce({
    ...options,
    setups: options.setups ?? ALL_SETUPS,
    group: 'all',
    title: ALL_TITLE,
    render: (p) => renderAllPage((last = p)),
  });
  if (options.transfer === false) return { page, results };
  // Beside the other runs (<outDir>/all/transfer.md, all/transfer/), not over `dlp reproduce transfer`'s page.
  const transfer = await runTransfer({
    ...(options.transfer ?? {}),
    outDir: nodeBuiltins('reproduceAll').path.join(options.outDir, 'all'),
    command: options.command,
    machine: options.machine,
    ...pickGiven(options, ['stepsScale', 'backend', 'dataDir', 'data', 'seed', 'onEval', 'onStep', 'onStart']),
  });
  if (last) writeFileAtomicSync(page, renderAllPage(last, transfer));
  return { page, results, transfer };
}
