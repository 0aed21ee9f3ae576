import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ArgumentError } from '../../src/errors.js';
import { checkRunDir, createRunDir, defaultRunDirName, runTimestamp } from '../../src/io/run-dir.js';
import { RUN_LOCK_FILE } from '../../src/io/run-lock.js';

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
const now = new Date(2025, 2, 7, 9, 5, 2);

/** A folder holding an earlier run's files and one file of the user's. */
function earlierRun(name: string, files = ['config.json', 'metrics.jsonl', 'model.safetensors', 'checkpoint.safetensors']): string {
  const out = join(base, name);
  mkdirSync(out);
  for (const file of files) writeFileSync(join(out, file), `old ${file}`);
  writeFileSync(join(out, 'notes.txt'), 'keep');
  return out;
}

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid!;
}

describe('run folder', () => {
  it('names the default folder runs/<setup>-<YYYYMMDD-HHMMSS>', () => {
    expect(runTimestamp(now)).toBe('20250307-090502');
    expect(defaultRunDirName('3', now)).toBe('runs/3-20250307-090502');
    expect(defaultRunDirName('convnet', now)).toBe('runs/convnet-20250307-090502');
    expect(defaultRunDirName('../x y', now)).toBe('runs/.._x_y-20250307-090502');
  });

  it('creates the default folder under the working directory, with a suffix when taken', () => {
    process.chdir(base);
    const first = createRunDir(undefined, '1', { now });
    expect(first.dir).toBe(join(base, 'runs', '1-20250307-090502'));
    expect(statSync(first.dir).isDirectory()).toBe(true);
    expect(first).toMatchObject({
      metrics: join(first.dir, 'metrics.jsonl'),
      lossPlot: join(first.dir, 'loss.png'),
      accuracyPlot: join(first.dir, 'accuracy.png'),
      model: join(first.dir, 'model.safetensors'),
      config: join(first.dir, 'config.json'),
      checkpoint: join(first.dir, 'checkpoint.safetensors'),
    });
    expect(readdirSync(first.dir)).toEqual([RUN_LOCK_FILE]);
    first.release();
    expect(readdirSync(first.dir)).toEqual([]);
    const second = createRunDir(undefined, '1', { now });
    expect(second.dir).toBe(`${first.dir}-2`);
    expect(createRunDir(undefined, '1', { now }).dir).toBe(`${first.dir}-3`);
  });

  it('creates a named folder, parents included, and accepts an empty existing one', () => {
    const out = join(base, 'a', 'b', 'run');
    const run = createRunDir(out, '1', { now });
    expect(run.dir).toBe(out);
    expect(statSync(out).isDirectory()).toBe(true);
    run.release();
    createRunDir(out, '1', { now }).release();
  });

  it('refuses a non-empty folder naming --overwrite (and --resume when it holds a run), deleting nothing', () => {
    const out = earlierRun('mine');
    expect(() => checkRunDir(out)).toThrow(ArgumentError);
    expect(() => createRunDir(out, '1', { now })).toThrow(
      `--out ${out} is not empty (5 entries, e.g. checkpoint.safetensors): add --overwrite to replace the run files in it, or use --resume ${out} to continue its run, or choose another --out`,
    );
    const other = earlierRun('other', []);
    expect(() => createRunDir(other, '1', { now })).toThrow(/^--out .* is not empty \(1 entry, e\.g\. notes\.txt\): add --overwrite to replace the run files in it, or choose another --out$/);
    expect(readFileSync(join(out, 'model.safetensors'), 'utf8')).toBe('old model.safetensors');
    expect(readdirSync(out)).not.toContain(RUN_LOCK_FILE);
  });

  it('--overwrite deletes the files a run writes (and temp files left beside them), nothing else', () => {
    const out = earlierRun('mine');
    writeFileSync(join(out, '.metrics.jsonl.123.abc.tmp'), 'half');
    writeFileSync(join(out, '.notes.txt.swp'), 'editor');
    const run = createRunDir(out, '1', { now, mode: 'overwrite' });
    expect(readdirSync(out).sort()).toEqual(['.dlp.lock', '.notes.txt.swp', 'notes.txt']);
    run.release();
  });

  it('--resume needs a run folder with its config and checkpoint, and keeps its files', () => {
    expect(() => createRunDir(join(base, 'none'), '1', { mode: 'resume' })).toThrow(/^--resume .*none: no such run folder$/);
    const noCheckpoint = earlierRun('early', ['config.json', 'metrics.jsonl']);
    expect(() => createRunDir(noCheckpoint, '1', { mode: 'resume' })).toThrow(
      /no checkpoint\.safetensors in it \(the run stopped before its first evaluation, so there is nothing to resume\)/,
    );
    expect(() => createRunDir(earlierRun('notrun', []), '1', { mode: 'resume' })).toThrow(/no config\.json in it \(not a dlp run folder\)/);
    const out = earlierRun('mine');
    const run = createRunDir(out, '1', { mode: 'resume' });
    expect(readFileSync(run.checkpoint, 'utf8')).toBe('old checkpoint.safetensors');
    run.release();
  });

  it('refuses an --out that is a file, or empty, and an empty setup', () => {
    const file = join(base, 'file');
    writeFileSync(file, 'x');
    expect(() => createRunDir(file, '1', { now })).toThrow(ArgumentError);
    expect(() => createRunDir(file, '1', { now })).toThrow(/a file \(not a folder\) is in the way/);
    expect(() => createRunDir(join(file, 'sub'), '1', { now })).toThrow(ArgumentError);
    expect(() => createRunDir('', '1', { now })).toThrow(/--out is empty/);
    expect(() => createRunDir(join(base, 'x'), ' ', { now })).toThrow(/setup name is empty/);
    expect(existsSync(join(base, 'x'))).toBe(false);
  });
});

describe('run folder lock', () => {
  it('refuses a second run into a folder while the first holds it, and lets it in after release', () => {
    const out = join(base, 'run');
    const first = createRunDir(out, '1', { now });
    const lock = JSON.parse(readFileSync(join(out, RUN_LOCK_FILE), 'utf8'));
    expect(lock).toEqual({ pid: process.pid, host: hostname() });
    // The same process counts: two runExperiment calls into one folder at once.
    expect(() => createRunDir(out, '1', { now, mode: 'overwrite' })).toThrow(
      new RegExp(`^--out ${out} is in use by another dlp run \\(pid ${process.pid}\\); wait for it to end or choose another folder`),
    );
    first.release();
    first.release();
    expect(existsSync(join(out, RUN_LOCK_FILE))).toBe(false);
    createRunDir(out, '1', { now, mode: 'overwrite' }).release();
  });

  it('refuses a lock held by another live process, and one written on another host', () => {
    const out = join(base, 'run');
    mkdirSync(out);
    writeFileSync(join(out, RUN_LOCK_FILE), JSON.stringify({ pid: process.ppid, host: hostname() }));
    expect(() => createRunDir(out, '1', { now })).toThrow(new RegExp(`in use by another dlp run \\(pid ${process.ppid}\\)`));
    writeFileSync(join(out, RUN_LOCK_FILE), JSON.stringify({ pid: deadPid(), host: 'elsewhere.example' }));
    expect(() => createRunDir(out, '1', { now })).toThrow(/in use by another dlp run \(pid \d+ on elsewhere\.example\).*delete .*\.dlp\.lock\)$/);
  });

  it('takes over a stale lock: a dead pid, or this pid reused after a restart, or a half-written one', () => {
    const out = join(base, 'run');
    mkdirSync(out);
    const lockFile = join(out, RUN_LOCK_FILE);
    for (const content of [JSON.stringify({ pid: deadPid(), host: hostname() }), JSON.stringify({ pid: process.pid, host: hostname() })]) {
      writeFileSync(lockFile, content);
      const run = createRunDir(out, '1', { now });
      expect(JSON.parse(readFileSync(lockFile, 'utf8')).pid).toBe(process.pid);
      run.release();
    }
    writeFileSync(lockFile, '');
    expect(() => createRunDir(out, '1', { now })).toThrow(/in use by another dlp run \(a run starting now\)/);
    const old = new Date(Date.now() - 60_000);
    const { utimesSync } = process.getBuiltinModule('node:fs');
    utimesSync(lockFile, old, old);
    createRunDir(out, '1', { now }).release();
    expect(readdirSync(out)).toEqual([]);
  });
});
