/**
 * The lock that keeps two runs out of one run folder: `.dlp.lock` in the folder, created with
 * O_EXCL (so exactly one of two racing runs gets it) and holding the owner's pid and host. It is
 * removed when the run ends, and also when the process exits early (process.exit after a second
 * Ctrl-C). A lock left by a run that was killed (SIGKILL, power loss) names a pid that is no
 * longer alive on this host: it is stale and the next run takes it over.
 *
 * Liveness is only known for this host: a lock written on another machine (a shared folder) is
 * treated as held; the message says which file to delete if that run is gone.
 */

import { ArgumentError } from '../errors.js';
import { nodeBuiltins } from '../node-builtins.js';
import { fileSystemError } from './fs-error.js';

export const RUN_LOCK_FILE = '.dlp.lock';

export interface RunLock {
  /** The lock file, absolute. */
  readonly path: string;
  /** Removes the lock (once; later calls do nothing). */
  release(): void;
}

/** Locks this process holds (a pid in a lock file may also be a dead process's, reused). */
const heldHere = new Set<string>();

/** A lock file that stays unreadable this long was left half-written by a killed run. */
const UNREADABLE_STALE_MS = 10_000;

interface LockHolder {
  pid: number;
  host: string;
}

function hostname(): string {
  return process.getBuiltinModule('node:os').hostname();
}

/** Whether `pid` is a live process here (EPERM: alive, owned by another user). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(fs: typeof import('node:fs'), path: string): LockHolder | undefined {
  try {
    const holder = JSON.parse(fs.readFileSync(path, 'utf8')) as Partial<LockHolder>;
    return Number.isSafeInteger(holder.pid) && typeof holder.host === 'string' ? (holder as LockHolder) : undefined;
  } catch {
    return undefined; // missing, or being written by its owner right now
  }
}

/**
 * Takes the folder's lock.
 * @param dir the run folder (must exist)
 * @param what how messages name the folder, e.g. `--out runs/a`
 * @throws ArgumentError when another live run holds it
 * @throws DlpError when the lock file cannot be written
 */
export function acquireRunLock(dir: string, what: string): RunLock {
  const { fs, path: nodePath } = nodeBuiltins('acquireRunLock');
  const path = nodePath.join(dir, RUN_LOCK_FILE);
  const me: LockHolder = { pid: process.pid, host: hostname() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(path, 'wx');
      try {
        fs.writeSync(fd, `${JSON.stringify(me)}\n`);
      } finally {
        fs.closeSync(fd);
      }
      return holdLock(fs, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw fileSystemError('lock the run folder', dir, error);
      }
    }
    const holder = readHolder(fs, path);
    if (!isStale(fs, path, holder, me)) {
      const who = holder ? `pid ${holder.pid}${holder.host === me.host ? '' : ` on ${holder.host}`}` : 'a run starting now';
      throw new ArgumentError(
        `${what} is in use by another dlp run (${who}); wait for it to end or choose another folder (if no such run is alive, delete ${path})`,
      );
    }
    takeOverStale(fs, path, holder);
  }
  throw new ArgumentError(`${what}: could not take over the stale lock ${path} (other runs keep taking it)`);
}

function isStale(fs: typeof import('node:fs'), path: string, holder: LockHolder | undefined, me: LockHolder): boolean {
  if (holder === undefined) {
    try {
      return Date.now() - fs.statSync(path).mtimeMs > UNREADABLE_STALE_MS;
    } catch {
      return true; // removed meanwhile
    }
  }
  if (holder.host !== me.host) return false;
  return holder.pid === process.pid ? !heldHere.has(path) : !isAlive(holder.pid);
}

/**
 * Moves a dead run's lock out of the way. The rename is atomic, so of two runs taking over the
 * same stale lock only one moves it; should a run move a lock that was fresh by then (another run
 * took over first), it puts it back with link(), which never replaces an existing lock.
 */
function takeOverStale(fs: typeof import('node:fs'), path: string, stale: LockHolder | undefined): void {
  const aside = `${path}.${process.pid}.stale`;
  try {
    fs.renameSync(path, aside);
  } catch {
    return; // gone already: another run took it over; try to create ours again
  }
  const moved = readHolder(fs, aside);
  if (moved && (stale === undefined || moved.pid !== stale.pid)) {
    try {
      fs.linkSync(aside, path);
    } catch {
      // another lock exists again: that one stands
    }
  }
  fs.rmSync(aside, { force: true });
}

function holdLock(fs: typeof import('node:fs'), path: string): RunLock {
  let held = true;
  heldHere.add(path);
  const release = () => {
    if (!held) return;
    held = false;
    heldHere.delete(path);
    process.removeListener('exit', release);
    try {
      fs.rmSync(path, { force: true });
    } catch {
      // the folder went away: nothing is locked any more
    }
  };
  // process.exit() (a second Ctrl-C) skips every finally: the lock still goes.
  process.on('exit', release);
  return { path, release };
}
