/**
 * Runs a TrainingSession to its end as trainLoop does (same steps, same evaluations, same
 * callbacks in the same order), but gives the event loop a turn every few milliseconds of work,
 * between two steps or two evaluation chunks, never inside one: so that a signal handler (Ctrl-C),
 * a timer or an abort can run during a run that takes hours. It stops at the first such point
 * after `signal` is aborted.
 *
 * A turn costs a setImmediate round trip (microseconds), taken at most every `yieldMs`, so the
 * steps run at the speed trainLoop's do; step times (StepInfo.trainSeconds) never include it.
 */

import type { EvalRecord, StepInfo, TrainingSession } from './loop.js';

export interface DriveOptions {
  /** Stops the run at the next step or chunk boundary once aborted. */
  signal?: AbortSignal;
  onStep?: (info: StepInfo) => void;
  onEval?: (record: EvalRecord) => void;
  /** Work between two turns of the event loop, in ms. Default 10. */
  yieldMs?: number;
}

/** Lets pending I/O callbacks (signal handlers among them) run, then continues. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof setImmediate === 'function') setImmediate(resolve);
    else setTimeout(resolve, 0);
  });
}

/**
 * Steps and evaluates until the session is done (returns true) or `signal` is aborted (returns
 * false; the session then stands between two steps, or with an evaluation due whose chunks so
 * far are dropped: TrainingSession.stateDict says so).
 */
export async function driveSession(session: TrainingSession, options: DriveOptions = {}): Promise<boolean> {
  const { signal, onStep, onEval } = options;
  const yieldMs = options.yieldMs ?? 10;
  let last = performance.now();
  const pause = async (): Promise<void> => {
    if (performance.now() - last < yieldMs) return;
    await yieldToEventLoop();
    last = performance.now();
  };
  while (!session.done) {
    if (signal?.aborted) return false;
    if (session.evaluationDue) {
      const evaluation = session.evaluation();
      let record: EvalRecord | undefined;
      while ((record = evaluation.next()) === undefined) {
        await pause();
        if (signal?.aborted) return false;
      }
      onEval?.(record);
    } else {
      // Not `onStep?.(session.trainStep())`: without onStep that would skip the step itself.
      const info = session.trainStep();
      onStep?.(info);
    }
    await pause();
  }
  return true;
}
