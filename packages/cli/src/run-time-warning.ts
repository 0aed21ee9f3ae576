/**
 * One warning line, not a refusal, when a run would take over an hour: `--setup convnet
 * --backend js` is accepted and would train for days without a word. The estimate is measured,
 * not guessed from a table: the time of the second training step of this run (the first one
 * pays for warm-up: buffers, caches, lazy compilation) times the steps left, evaluations not
 * counted, so it errs short. A first step so slow that a tenth of its time per step would still
 * pass the limit (warm-up never costs 10×; the ConvNet on js takes minutes per step) warns at
 * once rather than a whole slow step later.
 */

/** A first step may be this many times slower than the next (warm-up) and still not warn. */
const FIRST_STEP_WARM_UP_FACTOR = 10;

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
  /** The clock, in ms (default performance.now): times the first step from the warning's creation. */
  now?: () => number;
}

/** Feed it every step's info; it writes at most one line, after the second step it sees. */
export class RunTimeWarning {
  #firstSeconds: number | undefined;
  #done = false;

  /** When the run (or its resumption) started: a resumed session's trainSeconds holds earlier time too. */
  readonly #created: number;
  readonly #now: () => number;

  /** Create it just before the first step (dlp train: in onStart). */
  constructor(private readonly options: RunTimeWarningOptions) {
    this.#now = options.now ?? (() => performance.now());
    this.#created = this.#now();
  }

  /** @param info a step's info; `trainSeconds` counts from this run's (or resumption's) start. */
  step(info: train.StepInfo): void {
    if (this.#done) return;
    const threshold = this.options.thresholdSeconds ?? 3600;
    const left = this.options.steps - info.step;
    if (this.#firstSeconds === undefined) {
      this.#firstSeconds = info.trainSeconds;
      const first = (this.#now() - this.#created) / 1000;
      if ((first * left) / FIRST_STEP_WARM_UP_FACTOR > threshold) this.#warn(first, left, 'the first step');
      return;
    }
    this.#done = true;
    const perStep = info.trainSeconds - this.#firstSeconds;
    if (perStep * left > threshold) this.#warn(perStep, left, 'per step');
  }

  #warn(perStep: number, left: number, measured: string): void {
    this.#done = true;
    const advice = this.options.faster !== undefined ? `--backend ${this.options.faster} is faster` : 'fewer --steps make it shorter';
    this.options.write(
      `dlp: warning: at ${formatSeconds(perStep)} ${measured === 'per step' ? 'per step' : `for ${measured}`}, the ${left} steps left take about ` +
        `${formatDuration(perStep * left)} on ${this.options.backend} (training alone); ${advice}\n`,
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
