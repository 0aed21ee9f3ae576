/**
 * The kind of each data file, checked before it is opened: a directory where a `.bin` should be
 * would be read as a 4096-byte file of the wrong size, and a named pipe would block the read
 * until someone writes to it. One DataError names the file and what it is instead.
 */

import { constants, statSync, type Stats } from 'node:fs';
import { DataError } from '../errors.js';

/** What a path is, in words: `a directory`, `a named pipe (FIFO)`, … */
export function describeFileKind(stats: Stats): string {
  if (stats.isFile()) return 'a regular file';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

/**
 * Opening flags for a data file: read-only and non-blocking, so that a named pipe that slipped
 * past the stat (replaced in between) is opened at once and refused by its fstat, not waited on.
 */
export const DATA_FILE_OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

/**
 * Throws unless `stats` (of `path`, symbolic links followed) is a regular file.
 * @param what how the message names the file's role, e.g. `CIFAR-10 batch file`
 */
export function assertRegularFile(path: string, stats: Stats, what: string): void {
  if (!stats.isFile()) {
    throw new DataError(`${what} ${path} is ${describeFileKind(stats)}, not a regular file: put the file itself there`);
  }
}

/** Whether `path` exists (a dangling link does not), and if so it must be a regular file. */
export function existingRegularFile(path: string, what: string): boolean {
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch {
    return false;
  }
  assertRegularFile(path, stats, what);
  return true;
}
