/**
 * One warning line, not a refusal, when a run would take over an hour: `--setup convnet
 * --backend js` is accepted and would train for days without a word. The estimate is measured,
 * not guessed from a table: the time of the second training step of this run (the first one
 * pays for warm-up: buffers, caches, lazy compilation) times the steps left, evaluations not
 * counted, so it errs short.
 */

import type { train } from '@dlp/core';

export interface RunTimeWarningOptions {
  /** The run's total steps. */
  steps: number;
  /** The chosen backend's name. */
  backend: string;
  /** A faster backend that loads here, to name in the line; undefined when none is faster. */
  faster: string | undefined;
  write: (line: string) => void;
  /** Warn above this many seconds (default one hour). */
  thresholdSeconds?: number;
}

/** Feed it every step's info; it writes at most one line, after the second step it sees. */
export class RunTimeWarning {
  #firstSeconds: number | undefined;
  #done = false;

  constructor(private readonly options: RunTimeWarningOptions) {}

  step(info: train.StepInfo): void {
    if (this.#done) return;
    if (this.#firstSeconds === undefined) {
      this.#firstSeconds = info.trainSeconds;
      return;
    }
    this.#done = true;
    const perStep = info.trainSeconds - this.#firstSeconds;
    const left = this.options.steps - info.step;
    const seconds = perStep * left;
    if (!(seconds > (this.options.thresholdSeconds ?? 3600))) return;
    const advice = this.options.faster !== undefined ? `--backend ${this.options.faster} is faster` : 'fewer --steps make it shorter';
    this.options.write(
      `dlp: warning: at ${formatSeconds(perStep)} per step, the ${left} steps left take about ${formatDuration(seconds)} on ${this.options.backend} (training alone); ${advice}\n`,
    );
  }
}

function formatSeconds(s: number): string {
  return s >= 1 ? `${s.toFixed(1)} s` : `${(s * 1000).toFixed(0)} ms`;
}

/** `3.2 h`, `2.5 days` */
export function formatDuration(seconds: number): string {
  const hours = seconds / 3600;
  return hours >= 48 ? `${(hours / 24).toFixed(1)} days` : `${hours.toFixed(1)} h`;
}

/** Backends from fastest to slowest, as `auto` ranks them. */
const SPEED_ORDER = ['native', 'wasm', 'js'];

/** The fastest backend faster than `chosen` for which `loads` says yes, if any. */
export function fasterBackend(chosen: string, loads: (name: string) => boolean): string | undefined {
  const rank = SPEED_ORDER.indexOf(chosen);
  if (rank <= 0) return undefined;
  return SPEED_ORDER.slice(0, rank).find((name) => loads(name));
}
