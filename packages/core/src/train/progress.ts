/**
 * The training progress bar on stderr: step, loss, accuracy, steps/s and ETA, with each
 * evaluation printed as its own line above the bar.
 *   numpy [######........................] 300/1400 loss 1.7342 acc 0.415 | 612 steps/s | ETA 0:02
 */

import { ProgressLine, progressBar, type TextStream } from '../ui/progress-line.js';
import type { EvalRecord, StepInfo } from './loop.js';

/** m:ss, or h:mm:ss from an hour on. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const [h, m, sec] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(sec).padStart(2, '0')}`;
}

export class TrainingProgress {
  readonly #line: ProgressLine;
  readonly #label: string;

  constructor(label: string, stream: TextStream = process.stderr) {
    this.#label = label;
    this.#line = new ProgressLine(stream);
  }

  step(info: StepInfo): void {
    const rate = info.step / Math.max(info.trainSeconds, 1e-9);
    const eta = (info.steps - info.step) / rate;
    const text =
      `${this.#label} ${progressBar(info.step / info.steps)} ${info.step}/${info.steps} ` +
      `loss ${info.loss.toFixed(4)} acc ${info.accuracy.toFixed(3)} | ` +
      `${rate >= 100 ? rate.toFixed(0) : rate.toFixed(1)} steps/s | ETA ${formatDuration(eta)}`;
    this.#line.update(text, info.step / info.steps);
  }

  /** The run stopped early (interrupted): the bar ends where it is and is not drawn again. */
  stop(): void {
    this.#line.stop();
  }

  eval(record: EvalRecord): void {
    this.#line.log(
      `${this.#label} step ${record.step}: train loss ${record.train_loss.toFixed(4)} acc ${record.train_accuracy.toFixed(3)}` +
        ` | test loss ${record.test_loss.toFixed(4)} acc ${record.test_accuracy.toFixed(3)}`,
    );
  }
}
