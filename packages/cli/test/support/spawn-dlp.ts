/**
 * The built `dlp` as a child process that a test talks to while it runs: wait for its first
 * stdout line (an evaluation with --json), send it signals, await its exit. Asynchronous, so the
 * vitest worker never blocks while the child trains.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunningDlp {
  child: ChildProcess;
  /** Resolves with the first complete stdout line. */
  firstLine: Promise<string>;
  exit: Promise<Exit>;
}

export function spawnDlp(args: string[], env: NodeJS.ProcessEnv = process.env): RunningDlp {
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`pnpm build\` first`);
  const child = spawn(process.execPath, [main, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let lineSeen: (line: string) => void = () => undefined;
  const firstLine = new Promise<string>((resolve) => (lineSeen = resolve));
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    const end = stdout.indexOf('\n');
    if (end >= 0) lineSeen(stdout.slice(0, end));
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exit = new Promise<Exit>((resolve) => {
    child.on('close', (code, signal) => {
      lineSeen(''); // a child that never printed a line does not leave the test waiting
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, firstLine, exit };
}

/** Files a run must never leave behind: its lock and atomic-write temp files. */
export function leftovers(dir: string): string[] {
  return readdirSync(dir).filter((name) => name === '.dlp.lock' || name.endsWith('.tmp'));
}
