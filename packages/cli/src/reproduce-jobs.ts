/**
 * `dlp reproduce --jobs N`: each setup trained by a `dlp train` child process, N at a time, each
 * with its share of the cores (RAYON_NUM_THREADS). Why: a small MLP keeps two threads busy only
 * part of its step (its JavaScript, the small kernels and the thread handoffs run on one), so on
 * 2 cores two 1-thread runs side by side train more steps per second than two 2-thread runs in
 * turn; the kernels give the same bits on any number of threads, so the results do not change.
 *
 * The children run in their own process groups: a Ctrl-C reaches this process only, which hands
 * it on once to each child (a second signal to a child ends it at once), waits for them to write
 * their checkpoints, and exits with the signal's code.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { io, ProgressLine, progressBar, type TextStream, type train } from '@dlp/core';
import type { TrappedSignal } from './interrupt.js';

/** A child `dlp train` that did not finish its run. */
export class ChildRunError extends Error {
  override readonly name = 'ChildRunError';
  constructor(
    readonly setup: string,
    readonly code: number | null,
    readonly signal: NodeJS.Signals | null,
    /** The child's last line on stderr (its error message). */
    readonly reason: string,
  ) {
    super(`setup ${setup}: dlp train ${code !== null ? `exited with code ${code}` : `was ended by ${signal}`}${reason ? `: ${reason}` : ''}`);
  }
}

export interface ChildRunnerOptions {
  /** Kernel threads per child. */
  threads: number;
  /** Said when a child starts and when it ends. */
  say: (line: string) => void;
  /** Each child's progress: its setup, steps done (at its last evaluation) and steps. */
  onProgress?: (setup: string, step: number, steps: number) => void;
}

export interface ChildRunner {
  run: train.SetupRunner;
  /** Passes a signal on to every running child (they checkpoint and exit); no child starts after it. */
  signal(name: TrappedSignal): void;
}

/** The `dlp train` flags that make a child train exactly the run reproduce asks for. */
export function trainFlags(options: train.RunOptions): string[] {
  const { setup, steps, evalFreq, out, backend, dataDir, seed } = options;
  if (setup === undefined || steps === undefined || evalFreq === undefined || out === undefined) {
    throw new Error('reproduce hands every run its setup, steps, eval frequency and folder');
  }
  if (options.data !== undefined) throw new Error('a child process reads the data from its folder: give dataDir, not data');
  return [
    'train',
    ...['--setup', setup, '--steps', String(steps), '--eval-freq', String(evalFreq), '--out', out],
    ...(options.overwrite === true ? ['--overwrite'] : []),
    ...(backend !== undefined ? ['--backend', backend] : []),
    ...(dataDir !== undefined ? ['--data-dir', dataDir] : []),
    ...(seed !== undefined ? ['--seed', String(seed)] : []),
    '--json',
  ];
}

export function childRunner(options: ChildRunnerOptions): ChildRunner {
  const children = new Set<ChildProcess>();
  let stoppedBy: TrappedSignal | undefined;
  // In their own process groups the children outlive this process unless told: should it end
  // early (an uncaught error), each is asked to stop, which keeps its checkpoint.
  process.once('exit', () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  });
  const run: train.SetupRunner = (runOptions) =>
    new Promise((resolve, reject) => {
      const setup = runOptions.setup!;
      if (stoppedBy !== undefined) {
        reject(new ChildRunError(setup, null, stoppedBy, 'not started: the reproduction was stopped'));
        return;
      }
      const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, ...trainFlags(runOptions)], {
        env: { ...process.env, RAYON_NUM_THREADS: String(options.threads) },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      children.add(child);
      options.say(`setup ${setup}: ${runOptions.steps} steps, ${options.threads} thread${options.threads === 1 ? '' : 's'}, writing ${runOptions.out}`);
      const evals: train.EvalRecord[] = [];
      let done: train.DoneRecord | undefined;
      let stdout = '';
      let stderr = '';
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        let end: number;
        while ((end = stdout.indexOf('\n')) >= 0) {
          const line = stdout.slice(0, end);
          stdout = stdout.slice(end + 1);
          let record: train.EvalRecord | train.DoneRecord;
          try {
            record = JSON.parse(line) as train.EvalRecord | train.DoneRecord;
          } catch {
            continue; // --json promises JSON lines only; anything else is not a record
          }
          if (record.event === 'eval') {
            evals.push(record);
            options.onProgress?.(setup, record.step, runOptions.steps!);
            runOptions.onEval?.(record);
          } else if (record.event === 'done') {
            done = record;
          }
        }
      });
      // The child's stderr is its progress bar and, on failure, its message: kept, not shown.
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
        stderr = (stderr + chunk).slice(-4096);
      });
      child.on('error', (error) => {
        children.delete(child);
        reject(error);
      });
      child.on('close', (code, signal) => {
        children.delete(child);
        if (code !== 0 || done === undefined) {
          const last = stderr.split(/\r|\n/).map((l) => l.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').trim()).filter((l) => l !== '').at(-1) ?? '';
          reject(new ChildRunError(setup, code, signal, last.replace(/^dlp: /, '')));
          return;
        }
        // The child held the folder's lock and gave it back: nothing to release here.
        const runDir = { ...io.runDirFiles(runOptions.out!), release() {} };
        const config = JSON.parse(readFileSync(runDir.config, 'utf8')) as train.RunConfig;
        resolve({ done, evals, runDir, config });
      });
    });
  return {
    run,
    signal(name) {
      stoppedBy = name;
      for (const child of children) if (child.exitCode === null) child.kill(name);
    },
  };
}

/**
 * One line for the runs side by side: the share of all their steps done and each running
 * setup's steps (at its last evaluation); a terminal redraws it in place, a log gets a line per
 * tenth. `say` puts a line of its own above it.
 */
export class JobsProgress {
  readonly #line: ProgressLine;
  readonly #stream: TextStream;
  readonly #label: string;
  readonly #total: number;
  readonly #steps = new Map<string, { step: number; steps: number; running: boolean }>();

  constructor(label: string, totalSteps: number, stream: TextStream = process.stderr) {
    this.#line = new ProgressLine(stream);
    this.#stream = stream;
    this.#label = label;
    this.#total = totalSteps;
  }

  say(text: string): void {
    this.#stream.write(`${this.#stream.isTTY === true ? '\r\x1b[K' : ''}${text}\n`);
  }

  progress(setup: string, step: number, steps: number, running = true): void {
    this.#steps.set(setup, { step, steps, running });
    const done = [...this.#steps.values()].reduce((sum, s) => sum + s.step, 0);
    const fraction = this.#total > 0 ? done / this.#total : 1;
    const runs = [...this.#steps].filter(([, s]) => s.running).map(([name, s]) => `setup ${name} ${s.step}/${s.steps}`);
    this.#line.update(`${this.#label} ${progressBar(fraction)} ${(fraction * 100).toFixed(0)}%${runs.length > 0 ? ` | ${runs.join(' · ')}` : ''}`, fraction);
  }

  /** Ends the line where the reproduction stopped short. */
  stop(): void {
    this.#line.stop();
  }
}
