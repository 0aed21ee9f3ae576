import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ArgumentError } from '../../src/errors.js';
import { createRunDir, defaultRunDirName, runTimestamp } from '../../src/io/run-dir.js';

let base: string;
let cwd: string;
beforeEach(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'dlp-run-')));
  cwd = process.cwd();
});
afterEach(() => {
  process.chdir(cwd);
  rmSync(base, { recursive: true, force: true });
});

// Local time, as the folder name is: 2025-03-07 09:05:02.
const when = new Date(2025, 2, 7, 9, 5, 2);

describe('run folder', () => {
  it('names the default folder runs/<setup>-<YYYYMMDD-HHMMSS>', () => {
    expect(runTimestamp(when)).toBe('20250307-090502');
    expect(defaultRunDirName('3', when)).toBe('runs/3-20250307-090502');
    expect(defaultRunDirName('convnet', when)).toBe('runs/convnet-20250307-090502');
    expect(defaultRunDirName('../x y', when)).toBe('runs/.._x_y-20250307-090502');
  });

  it('creates the default folder under the working directory, with a suffix when taken', () => {
    process.chdir(base);
    const first = createRunDir(undefined, '1', when);
    expect(first.dir).toBe(join(base, 'runs', '1-20250307-090502'));
    expect(statSync(first.dir).isDirectory()).toBe(true);
    expect(first).toMatchObject({
      metrics: join(first.dir, 'metrics.jsonl'),
      lossPlot: join(first.dir, 'loss.png'),
      accuracyPlot: join(first.dir, 'accuracy.png'),
      model: join(first.dir, 'model.safetensors'),
      config: join(first.dir, 'config.json'),
      preexisting: [],
    });
    expect(readdirSync(first.dir)).toEqual([]);
    const second = createRunDir(undefined, '1', when);
    expect(second.dir).toBe(`${first.dir}-2`);
    expect(createRunDir(undefined, '1', when).dir).toBe(`${first.dir}-3`);
  });

  it('creates a named folder, parents included', () => {
    const out = join(base, 'a', 'b', 'run');
    const run = createRunDir(out, '1', when);
    expect(run.dir).toBe(out);
    expect(statSync(out).isDirectory()).toBe(true);
  });

  it('accepts an existing non-empty folder, deletes nothing and reports earlier run files', () => {
    const out = join(base, 'mine');
    mkdirSync(out);
    writeFileSync(join(out, 'model.safetensors'), 'old weights');
    writeFileSync(join(out, 'notes.txt'), 'keep');
    const run = createRunDir(out, '1', when);
    expect(run.preexisting).toEqual(['model.safetensors']);
    expect(readFileSync(join(out, 'model.safetensors'), 'utf8')).toBe('old weights');
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('keep');
  });

  it('refuses an --out that is a file, or empty, and an empty setup', () => {
    const file = join(base, 'file');
    writeFileSync(file, 'x');
    expect(() => createRunDir(file, '1', when)).toThrow(ArgumentError);
    expect(() => createRunDir(file, '1', when)).toThrow(/a file \(not a folder\) is in the way/);
    expect(() => createRunDir(join(file, 'sub'), '1', when)).toThrow(ArgumentError);
    expect(() => createRunDir('', '1', when)).toThrow(/--out is empty/);
    expect(() => createRunDir(join(base, 'x'), ' ', when)).toThrow(/setup name is empty/);
    expect(existsSync(join(base, 'x'))).toBe(false);
  });
});
