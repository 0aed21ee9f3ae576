/**
 * The installed declarations type-check in a consumer's strict projects with skipLibCheck off:
 * a Node project (NodeNext, no DOM types) and a browser project (bundler resolution with the
 * "browser" condition, no Node types). The consumer files use the README's public types,
 * including the type-only members of namespaces that tsup's bundled declarations broke, and
 * their @ts-expect-error lines fail the check if those types ever loosen to `any`.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { installed, output, run, TSC } from './support/installed.js';

const { app } = installed();

/** tsc on one of the app's projects; returns the files it read, or fails with its messages. */
async function typecheck(project: string): Promise<string[]> {
  const result = await run('node', [TSC, '-p', project, '--noEmit', '--listFiles'], { cwd: app });
  expect(result.status, output(result)).toBe(0);
  return result.stdout.split('\n').filter((line) => line.length > 0);
}

describe('a strict consumer project type-checks against the installed @dlp/core', () => {
  it('in Node (NodeNext, skipLibCheck off, no DOM lib in its tsconfig), reading the Node entry from node_modules', async () => {
    const files = await typecheck('tsconfig.json');
    expect(files).toContain(join(app, 'node_modules', '@dlp', 'core', 'dist', 'index.d.ts'));
    expect(files).toContain(join(app, 'node_modules', '@dlp', 'core', 'dist', 'autograd', 'function.d.ts'));
    expect(files.some((f) => f.includes('/packages/core/'))).toBe(false); // nothing from the workspace
  });

  it('in a browser bundle (Bundler resolution, "browser" condition, no Node types)', async () => {
    const files = await typecheck('tsconfig.browser.json');
    expect(files).toContain(join(app, 'node_modules', '@dlp', 'core', 'dist', 'browser.d.ts'));
    expect(files).not.toContain(join(app, 'node_modules', '@dlp', 'core', 'dist', 'index.d.ts'));
    expect(files.some((f) => f.includes('@types/node'))).toBe(false);
  });

  it('reports a misuse in the consumer code (the check can fail)', async () => {
    const broken = await run(
      'node',
      [TSC, '--noEmit', '--strict', '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--types', 'node', '--skipLibCheck', 'false', join(app, 'src', 'misuse.ts')],
      { cwd: app },
    );
    expect(broken.status).not.toBe(0);
    expect(broken.stdout).toMatch(/misuse\.ts\(\d+,\d+\): error TS2345/);
  });
});
