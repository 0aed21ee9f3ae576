/**
 * One progress line for people, on stderr: on a terminal a bar redrawn in place (throttled);
 * in logs and CI, where carriage returns pile up, a plain line each time another tenth is done.
 */

export interface TextStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** `[#########.....................]` for a fraction in [0, 1]. */
export function progressBar(fraction: number, width = 30): string {
  const filled = Math.floor(Math.min(1, Math.max(0, fraction)) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

export class ProgressLine {
  readonly #stream: TextStream;
  readonly #tty: boolean;
  readonly #intervalMs: number;
  #lastDraw = -Infinity;
  #lastTenth = -1;
  #shown = '';
  #finished = false;

  constructor(stream: TextStream, options: { intervalMs?: number } = {}) {
    this.#stream = stream;
    this.#tty = stream.isTTY === true;
    this.#intervalMs = options.intervalMs ?? 100;
  }

  /**
   * Shows `text` for work that is `fraction` done (undefined when the total is unknown: then
   * only a terminal shows it). Completion (fraction 1) is always shown and ends the line.
   */
  update(text: string, fraction: number | undefined): void {
    if (this.#finished) return;
    const complete = fraction !== undefined && fraction >= 1;
    if (this.#tty) {
      const now = Date.now();
      if (!complete && now - this.#lastDraw < this.#intervalMs) return;
      this.#lastDraw = now;
      this.#shown = text;
      this.#stream.write(`\r${text}\x1b[K${complete ? '\n' : ''}`);
    } else {
      const tenth = fraction === undefined ? -1 : Math.floor(fraction * 10);
      if (!complete && (fraction === undefined || tenth === this.#lastTenth)) return;
      this.#lastTenth = tenth;
      this.#stream.write(`${text}\n`);
    }
    this.#finished = complete;
  }

  /** Ends the line where the work stopped short of completion (the bar stays as last drawn); nothing is drawn after. */
  stop(): void {
    if (this.#tty && this.#shown !== '' && !this.#finished) this.#stream.write('\n');
    this.#finished = true;
  }

  /** Prints a whole line (e.g. an evaluation's results) above the bar, which is redrawn after. */
  log(line: string): void {
    if (this.#tty && this.#shown !== '' && !this.#finished) {
      this.#stream.write(`\r\x1b[K${line}\n${this.#shown}`);
    } else {
      this.#stream.write(`${line}\n`);
    }
  }
}
