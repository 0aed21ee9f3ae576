/**
 * One way to report a failed file-system call: `cannot <action> <path>: <CODE> (<what it means>)`,
 * the code and the path once each (Node's own message already starts with the code and ends
 * with the path, so gluing `${code}: ${message}` printed `EROFS: EROFS: …`), and the real cause
 * where Node hides it (a recursive mkdir under a read-only folder says ENOENT; see
 * {@link mkdirRecursive}).
 */

import { DlpError } from '../errors.js';
import { nodeBuiltins } from '../node-builtins.js';

/** The errno code of a Node system error (`EROFS`, `ENOSPC`, …), if it is one. */
export function errnoCode(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : undefined;
}

/**
 * Node's message without the parts the caller prints itself: `EROFS: read-only file system,
 * open '/x/y'` becomes `read-only file system`.
 */
function describeSystemError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = errnoCode(error);
  if (code === undefined) return message;
  const withoutCode = message.startsWith(`${code}: `) ? message.slice(code.length + 2) : message;
  // ", write" / ", open '/path'" / ", rename '/a' -> '/b'": the syscall and its paths, which the caller names.
  return withoutCode.replace(/, \w+( '[^']*'( -> '[^']*')?)?$/, '');
}

/**
 * A DlpError for a failed file-system call. A DlpError passes through unchanged (it already
 * says what failed), so wrapping twice never doubles a message.
 * @param action what was being done, e.g. `write`, `create the run folder`
 */
export function fileSystemError(action: string, path: string, error: unknown): DlpError {
  if (error instanceof DlpError) return error;
  const code = errnoCode(error);
  const what = describeSystemError(error);
  const detail = code === undefined ? what : `${code} (${what})`;
  return new DlpError(`cannot ${action} ${path}: ${detail}`, { cause: error });
}

/** The fs calls {@link mkdirRecursive} makes: Node's by default, a failing one in tests. */
export interface MkdirFs {
  mkdirSync(path: string, options?: { recursive?: boolean }): unknown;
  statSync(path: string): { isDirectory(): boolean };
}

/**
 * `mkdir -p`, reporting the real cause of a failure. Node's recursive mkdir reports ENOENT when
 * a parent cannot be created on a read-only file system (or without permission); then each
 * missing folder is created one at a time from the nearest existing ancestor, and that first
 * failure (EROFS, EACCES, ENOTDIR, ENOSPC, …) is the one thrown.
 * @throws the system error of the first folder that could not be created
 */
export function mkdirRecursive(dir: string, fs: MkdirFs = nodeBuiltins('mkdirRecursive').fs): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
    return;
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error;
    const { path } = nodeBuiltins('mkdirRecursive');
    const missing: string[] = [];
    let at = path.resolve(dir);
    while (!exists(fs, at)) {
      missing.unshift(at);
      const parent = path.dirname(at);
      if (parent === at) break;
      at = parent;
    }
    for (const folder of missing) {
      try {
        fs.mkdirSync(folder);
      } catch (inner) {
        if (errnoCode(inner) !== 'EEXIST') throw inner;
      }
    }
    // Every folder was created one by one: whatever stopped the recursive call is gone.
  }
}

function exists(fs: MkdirFs, path: string): boolean {
  try {
    fs.statSync(path);
    return true;
  } catch {
    return false;
  }
}
