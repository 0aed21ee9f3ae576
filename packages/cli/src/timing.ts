/** Benchmark timing: a warm-up, then repeated runs until a time budget, reporting the median. */

import { performance } from 'node:perf_hooks';

export interface TimingOptions {
  /** Keep repeating until this much time has been spent (after the minimum runs). */
  budgetMs: number;
  minRuns: number;
  maxRuns: number;
}

export interface Timing {
  medianMs: number;
  runs: number;
}

export function timeMedian(run: () => void, options: TimingOptions): Timing {
  run(); // warm-up: first-call costs (pool start, page faults, JIT) are not what we measure
  const times: number[] = [];
  const start = performance.now();
  while (times.length < options.minRuns || (performance.now() - start < options.budgetMs && times.length < options.maxRuns)) {
    const t = performance.now();
    run();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { medianMs: times[Math.floor(times.length / 2)]!, runs: times.length };
}
