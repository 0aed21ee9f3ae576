// Steps/s and time left: evaluations still to come counted as TrainingSession schedules them
// (after step 1, every evalFreq steps, after the last), and durations printed as m:ss / h:mm:ss.
import { describe, expect, it } from 'vitest';
import { evaluationsAfter, formatDuration, secondsLeft, stepsPerSecond } from '../src/progress-stats.js';

/** The schedule by brute force: step k (1-based) evaluates when (k − 1) % evalFreq = 0 or k = steps. */
function slowCount(step: number, steps: number, evalFreq: number): number {
  let count = 0;
  for (let k = step + 1; k <= steps; k++) if ((k - 1) % evalFreq === 0 || k === steps) count++;
  return count;
}

describe('progress stats', () => {
  it('counts the evaluations left as the loop schedules them', () => {
    for (const [steps, freq] of [[1400, 100], [100, 100], [101, 100], [7, 3], [1, 5], [5000, 500], [10, 1]] as const) {
      for (let step = 0; step <= steps; step++) expect(evaluationsAfter(step, steps, freq), `${step}/${steps} every ${freq}`).toBe(slowCount(step, steps, freq));
    }
    expect(evaluationsAfter(0, 1400, 100)).toBe(15);
  });

  it('extrapolates the time left from the training rate and the mean evaluation', () => {
    expect(stepsPerSecond(0, 0)).toBeUndefined();
    expect(stepsPerSecond(50, 2)).toBe(25);
    expect(secondsLeft({ step: 0, steps: 100, evalFreq: 10, trainSeconds: 0, evalsDone: 0, evalSeconds: 0 })).toBeUndefined();
    // 90 steps at 10/s, then evaluations after steps 11, 21, …, 91 and 100: 10 of 0.5 s each.
    expect(secondsLeft({ step: 10, steps: 100, evalFreq: 10, trainSeconds: 1, evalsDone: 2, evalSeconds: 1 })).toBeCloseTo(9 + 5, 10);
  });

  it('formats durations', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(75.4)).toBe('1:15');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(-3)).toBe('0:00');
  });
});
