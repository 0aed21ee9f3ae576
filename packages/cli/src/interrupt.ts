/**
 * Ctrl-C (SIGINT) and SIGTERM during a training run. The first asks the run to stop: core's
 * runExperiment finishes the current step, writes a checkpoint, the metrics, the model and the
 * plots, and rejects with TrainingInterruptedError, after which the command exits with the
 * shell's code for the signal (128 + its number: 130, 143). A second signal exits at once with
 * its own code: every file of the run is written atomically, so what is on disk is the old or the
 * new version of each, and the run folder's lock and temp files go in the process's exit hook.
 */

export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
export type TrappedSignal = keyof typeof SIGNAL_EXIT_CODES;

export interface InterruptTrap {
  /** Aborted by the first signal once armed, with the signal's name as the reason. */
  readonly signal: AbortSignal;
  /** The first signal received, if any. */
  readonly received: TrappedSignal | undefined;
  /** Starts catching SIGINT and SIGTERM (until then they end the process at once, Node's default). */
  arm(): void;
  /** Gives SIGINT and SIGTERM back to Node's default. */
  release(): void;
}

/** A trap for SIGINT and SIGTERM, caught between arm() and release(). */
export function createInterruptTrap(): InterruptTrap {
  const controller = new AbortController();
  let received: TrappedSignal | undefined;
  const handler = (name: TrappedSignal) => {
    if (received !== undefined) {
      const clear = process.stderr.isTTY ? '\r\x1b[K' : '';
      process.stderr.write(`${clear}dlp: second signal (${name}): exiting now; the run folder keeps its last checkpoint\n`);
      process.exit(SIGNAL_EXIT_CODES[name]);
    }
    received = name;
    controller.abort(name);
  };
  const names = Object.keys(SIGNAL_EXIT_CODES) as TrappedSignal[];
  // One listener per signal, each knowing its name (not taken from the listener's argument).
  const listeners = names.map((name) => [name, () => handler(name)] as const);
  let armed = false;
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    arm() {
      if (armed) return;
      armed = true;
      for (const [name, listener] of listeners) process.on(name, listener);
    },
    release() {
      armed = false;
      for (const [name, listener] of listeners) process.removeListener(name, listener);
    },
  };
}

/** `dlp` as the user typed it: `pnpm dlp` from the workspace's script, else the installed command. */
function commandName(): string {
  return process.env.npm_lifecycle_event === 'dlp' ? 'pnpm dlp' : 'dlp';
}

/** A path as one shell word (quoted when it holds anything but plain path characters). */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The command that continues the run in `dir`. */
export function resumeCommand(dir: string, extraFlags: readonly string[] = []): string {
  return [commandName(), 'train', '--resume', shellWord(dir), ...extraFlags].join(' ');
}
