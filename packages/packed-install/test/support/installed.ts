/**
 * What the global setup installed, handed to the test files with vitest's provide/inject, and
 * small helpers to run the installed things.
 */

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';

import { userEnv } from './user-env.js';

export { userEnv };

/** One tarball of scripts/pack.mjs --json. */
export interface PackedTarball {
  name: string;
  version: string;
  tarball: string;
  bytes: number;
  files: string[];
}

export interface Installed {
  /** The temporary folder holding everything below. */
  root: string;
  packed: PackedTarball[];
  /** Third-party packages served from the workspace's copies, and those not found here. */
  thirdParty: { packed: string[]; absent: string[] };
  /** Names npm asked the local registry for that it does not hold (other platforms' packages). */
  registryMisses: string[];
  /** A consumer project with @dlp/core installed by `npm install`. */
  app: string;
  /** The same, installed with --omit=optional: no platform addon. */
  appWithoutOptional: string;
  /** `npm install -g --prefix <globalPrefix> @dlp/cli`: the command is <globalPrefix>/bin/dlp. */
  globalPrefix: string;
  /** `npm install -g --prefix <globalFromFiles> <every tarball of ours>`. */
  globalFromFiles: string;
  /** npm's output of each install. */
  logs: Record<string, string>;
  setupSeconds: number;
}

declare module 'vitest' {
  export interface ProvidedContext {
    installed: Installed;
  }
}

export function installed(): Installed {
  return inject('installed');
}

const workspace = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', '..');

/** The workspace's TypeScript compiler (the consumer's own types come from its node_modules). */
export const TSC = join(workspace, 'node_modules', 'typescript', 'bin', 'tsc');

/** CIFAR-10 beside the repository, as CI has it. */
export const sharedData = resolve(workspace, '..', 'shared', 'datasets');
/** Without the data the data tests are skipped, except in CI, where missing data is a failure. */
export const skipWithoutData = !existsSync(join(sharedData, 'cifar-10-batches-bin')) && !process.env.CI;

/** What a finished command gave. */
export interface RunResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command to completion (in `userEnv()` unless told otherwise); the output is returned,
 * never thrown. Asynchronous, so the
 * test worker's event loop stays free while tsc or a training run takes seconds (a worker
 * blocked in synchronous calls once missed vitest's onTaskUpdate deadline in CI).
 */
export function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeout?: number }): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? userEnv(), timeout: options.timeout ?? 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (error) => resolve({ status: null, signal: null, stdout, stderr: `${stderr}${error.message}` }));
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
}

/** stdout and stderr together, for failure messages. */
export function output(result: RunResult): string {
  return `exit ${result.status}${result.signal ? ` (${result.signal})` : ''}\n${result.stdout}${result.stderr}`;
}
