/**
 * Steps per second and time left, for the page's progress line. The rate is the CLI's
 * (steps / seconds spent in training steps); the time left adds the evaluations still to come
 * at the mean duration of those already done.
 */

/** Evaluations a run makes after `step` steps of `steps`: after step 1, every evalFreq, and at the end. */
export function evaluationsAfter(step: number, steps: number, evalFreq: number): number {
  if (step >= steps) return 0;
  // Steps k in (step, steps] with (k − 1) a multiple of evalFreq, i.e. multiples in [step, steps − 1]…
  const periodic = Math.floor((steps - 1) / evalFreq) - Math.ceil(step / evalFreq) + 1;
  // …and the last step, when it is not one of them.
  return periodic + ((steps - 1) % evalFreq === 0 ? 0 : 1);
}

export interface EtaInput {
  step: number;
  steps: number;
  evalFreq: number;
  trainSeconds: number;
  evalsDone: number;
  evalSeconds: number;
}

/** Training steps per second so far, or undefined before the first measured step. */
export function stepsPerSecond(step: number, trainSeconds: number): number | undefined {
  return step > 0 && trainSeconds > 0 ? step / trainSeconds : undefined;
}

/** Seconds left, or undefined until there is a rate to extrapolate from. */
export function secondsLeft(input: EtaInput): number | undefined {
  const rate = stepsPerSecond(input.step, input.trainSeconds);
  if (rate === undefined) return undefined;
  const perEval = input.evalsDone > 0 ? input.evalSeconds / input.evalsDone : 0;
  return (input.steps - input.step) / rate + evaluationsAfter(input.step, input.steps, input.evalFreq) * perEval;
}

/** 75 → "1:15", 3725 → "1:02:05". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const [h, m, r] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(r)}` : `${m}:${two(r)}`;
}
