/**
 * File-system failures are reported once, with their real code and path: Node's message is not
 * glued after its own code (`EROFS: EROFS: …`), and a recursive mkdir that Node reports as ENOENT
 * under a read-only (or forbidden) parent reports that parent's real error. Faults are made
 * without root's help: missing folders, a regular file in the path, /dev/full, and an injected
 * fs for the read-only file system (chmod does not stop root, who may run these tests).
 */

import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DlpError } from '../../src/errors.js';
import { writeFileAtomic, writeFileAtomicSync } from '../../src/io/atomic-write.js';
import { errnoCode, fileSystemError, mkdirRecursive, type MkdirFs } from '../../src/io/fs-error.js';
import { createRunDir } from '../../src/io/run-dir.js';

const root = mkdtempSync(join(tmpdir(), 'dlp-fs-error-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const count = (text: string, word: string) => text.split(word).length - 1;

function systemError(code: string, text: string, syscall: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${text}, ${syscall} '${path}'`), { code, syscall, path });
}

describe('fileSystemError', () => {
  it('names the code once, the path once, and what the code means', () => {
    const error = fileSystemError('write', '/data/run/metrics.jsonl', systemError('EROFS', 'read-only file system', 'open', '/data/run/.metrics.jsonl.1.x.tmp'));
    expect(error).toBeInstanceOf(DlpError);
    expect(error.message).toBe('cannot write /data/run/metrics.jsonl: EROFS (read-only file system)');
  });

  it('passes a DlpError through unchanged', () => {
    const inner = new DlpError('cannot write x: ENOSPC (no space left on device)');
    expect(fileSystemError('write', 'y', inner)).toBe(inner);
  });

  it('an atomic write into a missing folder says ENOENT once, with the target path', async () => {
    const target = join(root, 'missing', 'metrics.jsonl');
    const error = await writeFileAtomic(target, 'x').catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(DlpError);
    expect((error as Error).message).toMatch(/^cannot write .*missing\/metrics\.jsonl: ENOENT \(no such file or directory\)$/);
    expect(count((error as Error).message, 'ENOENT')).toBe(1);
  });

  it('a write to /dev/full (a full disk) says ENOSPC once', () => {
    // /dev/full takes open() and fails every write with ENOSPC: a disk that filled up.
    let caught: unknown;
    try {
      writeFileSync('/dev/full', 'x'.repeat(100));
    } catch (error) {
      caught = error;
    }
    expect(errnoCode(caught)).toBe('ENOSPC'); // the fault really happens on this machine
    const message = fileSystemError('write', '/dev/full', caught).message;
    expect(message).toBe('cannot write /dev/full: ENOSPC (no space left on device)');
  });

  it('writeFileAtomicSync under a regular file says ENOTDIR once', () => {
    const file = join(root, 'plain-file');
    writeFileSync(file, 'not a folder');
    const target = join(file, 'config.json');
    expect(() => writeFileAtomicSync(target, '{}')).toThrow(/^cannot write .*plain-file\/config\.json: ENOTDIR \(not a directory\)$/);
  });
});

describe('mkdirRecursive', () => {
  /** Node's fs on a read-only file system mounted at `mount`: what `mkdir -p` sees there. */
  function readOnlyBelow(mount: string): MkdirFs & { calls: string[] } {
    const calls: string[] = [];
    return {
      calls,
      statSync(path: string) {
        if (path === mount || !path.startsWith(`${mount}/`)) return { isDirectory: () => true };
        throw systemError('ENOENT', 'no such file or directory', 'stat', path);
      },
      mkdirSync(path: string, options?: { recursive?: boolean }) {
        calls.push(`${options?.recursive === true ? 'mkdir -p' : 'mkdir'} ${path}`);
        // Node's recursive mkdir hides EROFS behind ENOENT (seen on a read-only tmpfs here).
        if (options?.recursive === true) throw systemError('ENOENT', 'no such file or directory', 'mkdir', path);
        throw systemError('EROFS', 'read-only file system', 'mkdir', path);
      },
    };
  }

  it('reports EROFS, not ENOENT, for a folder under a read-only file system', () => {
    const fs = readOnlyBelow('/mnt/ro');
    let caught: unknown;
    try {
      mkdirRecursive('/mnt/ro/runs/a', fs);
    } catch (error) {
      caught = error;
    }
    expect(errnoCode(caught)).toBe('EROFS');
    expect((caught as NodeJS.ErrnoException).path).toBe('/mnt/ro/runs');
    expect(fs.calls).toEqual(['mkdir -p /mnt/ro/runs/a', 'mkdir /mnt/ro/runs']);
  });

  it('creates what is missing on a real file system', () => {
    const dir = join(root, 'a', 'b', 'c');
    mkdirRecursive(dir);
    expect(existsSync(dir)).toBe(true);
  });

  it('createRunDir under a regular file refuses it as a file in the way', () => {
    const file = join(root, 'in-the-way');
    writeFileSync(file, '');
    expect(() => createRunDir(join(file, 'runs', 'a'), 'numpy')).toThrow(/a file \(not a folder\) is in the way/);
  });
});
