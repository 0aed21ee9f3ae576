/** Running the built `dlp` CLI in tests, temporary folders, and where the real data is. */

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect } from 'vitest';

const main = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
export const repoRoot = resolve(fileURLToPath(new URL('../../../..', import.meta.url)));
export const dataDir = resolve(repoRoot, '..', 'shared', 'datasets');
export const haveData = existsSync(join(dataDir, 'cifar-10-batches-bin'));

export function dlp(args: string[]) {
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`pnpm build\` first`);
  const r = spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A fresh temporary folder, removed after the test file. */
export function tempDirFactory(prefix: string): (name: string) => string {
  const made: string[] = [];
  afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  return (name) => {
    const dir = mkdtempSync(join(tmpdir(), `${prefix}-${name}-`));
    made.push(dir);
    return dir;
  };
}

/** Exit code 2, one line on stderr matching `message`, no stack trace. */
export function expectCleanFailure(args: string[], message: RegExp): void {
  const run = dlp(args);
  expect(run.code).toBe(2);
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(run.stderr).toMatch(message);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}
