/**
 * Writes that a reader (or a crash) never catches half done: the new content goes to a temp file
 * in the target's folder, is fsynced, then renamed over the target. rename(2) within one folder
 * replaces the name atomically, so the target always holds either the old or the new bytes.
 *
 * Node built-ins are reached through `nodeBuiltins` (no static `node:` imports) so that modules
 * importing this one (safetensors encode/decode) still load in a browser bundle; the functions
 * here throw BackendUnavailableError there.
 */

import { ArgumentError, DlpError } from '../errors.js';
import { nodeBuiltins, type NodeBuiltins } from '../node-builtins.js';
import { fileSystemError } from './fs-error.js';

/** A unique hidden temp name beside `path`: `.<name>.<pid>.<random>.tmp`. */
function tempPathFor(node: NodeBuiltins, path: string): string {
  const random = new Uint32Array(2);
  globalThis.crypto.getRandomValues(random);
  const tag = `${process.pid}.${random[0]!.toString(36)}${random[1]!.toString(36)}`;
  return node.path.join(node.path.dirname(path), `.${node.path.basename(path)}.${tag}.tmp`);
}

function toBytes(data: string | Uint8Array): Uint8Array {
  if (typeof data === 'string') return new TextEncoder().encode(data);
  if (data instanceof Uint8Array) return data;
  throw new ArgumentError(`writeFileAtomic: data must be a string or a Uint8Array, got ${typeof data}`);
}

function ioError(path: string, error: unknown): DlpError {
  return fileSystemError('write', path, error);
}

/**
 * Writes `data` to `path` atomically: readers see the old content or the new one, never a mix,
 * and after a crash the file holds one of the two. The temp file is removed when any step fails.
 * The folder must exist. The new file gets the default mode (0o666 less the umask), not the
 * old file's mode.
 *
 * @throws DlpError naming `path` and the system error (folder missing, disk full, the target is
 *   a directory, ...); the old content, if any, is left untouched.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const node = nodeBuiltins('writeFileAtomic');
  const bytes = toBytes(data);
  const fsp = node.fs.promises;
  const temp = tempPathFor(node, path);
  let created = false;
  try {
    const handle = await fsp.open(temp, 'wx');
    created = true;
    try {
      // FileHandle.writeFile loops until every byte is written (write(2) may write fewer).
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fsp.rename(temp, path);
    created = false;
  } catch (error) {
    if (created) await fsp.rm(temp, { force: true }).catch(() => undefined);
    throw ioError(path, error);
  }
  await syncDirectory(node, node.path.dirname(path));
}

/** The synchronous twin of {@link writeFileAtomic}, for exit paths that cannot await. */
export function writeFileAtomicSync(path: string, data: string | Uint8Array): void {
  const node = nodeBuiltins('writeFileAtomicSync');
  const bytes = toBytes(data);
  const fs = node.fs;
  const temp = tempPathFor(node, path);
  let created = false;
  try {
    const fd = fs.openSync(temp, 'wx');
    created = true;
    try {
      for (let done = 0; done < bytes.byteLength; ) {
        done += fs.writeSync(fd, bytes, done, bytes.byteLength - done);
      }
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, path);
    created = false;
  } catch (error) {
    if (created) {
      try {
        fs.rmSync(temp, { force: true });
      } catch {
        // best effort: the original error is the one worth reporting
      }
    }
    throw ioError(path, error);
  }
  try {
    const dirFd = fs.openSync(node.path.dirname(path), 'r');
    try {
      fs.fsyncSync(dirFd);
    } finally {
      fs.closeSync(dirFd);
    }
  } catch {
    // see syncDirectory
  }
}

/**
 * fsyncs the folder so the rename itself survives a power loss. Best effort: some platforms
 * (Windows) and file systems refuse to open or fsync a directory; the data is already safe there.
 */
async function syncDirectory(node: NodeBuiltins, dir: string): Promise<void> {
  try {
    const handle = await node.fs.promises.open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // see above
  }
}

/**
 * A JSON Lines file (one JSON value per line, `\n`-terminated) that is never seen half written.
 *
 * Choice: every `append` rewrites the whole file atomically (temp file + fsync + rename) from
 * the lines kept in memory, rather than appending the new line with one write(2) + fsync.
 * An O_APPEND write is not guaranteed atomic for a concurrent reader of a regular file (POSIX
 * only promises that for pipes), can be short (disk full), and a crash between the write and the
 * data reaching disk can leave a torn last line. The rewrite has none of these: readers see the
 * previous complete file or the new complete file. Its cost, rewriting ~100 lines of ~150 bytes
 * per evaluation, is negligible next to a training step.
 *
 * Appends are serialized: calling `append` again before the previous promise settles queues the
 * write, and the file on disk always holds a prefix of the appended lines, in order. A failed
 * append rejects, leaves the file as it was, and drops that line (memory matches disk);
 * later appends still run.
 */
export class JsonLinesWriter {
  private readonly committed: string[] = [];
  private queue: Promise<void> = Promise.resolve();

  /** Nothing is written until the first `append` (or use {@link JsonLinesWriter.create}). */
  constructor(readonly path: string) {}

  /** A writer whose file is replaced by an empty one now (a stale file from an older run goes). */
  static async create(path: string): Promise<JsonLinesWriter> {
    const writer = new JsonLinesWriter(path);
    await writeFileAtomic(path, '');
    return writer;
  }

  /** The lines written so far (without their `\n`), oldest first. */
  get lines(): readonly string[] {
    return this.committed;
  }

  /**
   * Serializes `value` with JSON.stringify (one line: it never emits a raw newline; NaN and
   * ±Infinity become `null`, as JSON has no such numbers) and rewrites the file with it appended.
   *
   * @throws ArgumentError when `value` has no JSON form (undefined, a function, a BigInt, a cycle).
   * @throws DlpError when the file cannot be written; the file keeps its previous lines.
   */
  append(value: unknown): Promise<void> {
    let line: string | undefined;
    try {
      line = JSON.stringify(value);
    } catch (error) {
      return Promise.reject(
        new ArgumentError(`JsonLinesWriter.append(${this.path}): value has no JSON form: ${(error as Error).message}`),
      );
    }
    if (line === undefined) {
      return Promise.reject(new ArgumentError(`JsonLinesWriter.append(${this.path}): value has no JSON form (${typeof value})`));
    }
    const text = line;
    const run = this.queue.then(async () => {
      const content = this.committed.length === 0 ? `${text}\n` : `${this.committed.join('\n')}\n${text}\n`;
      await writeFileAtomic(this.path, content);
      this.committed.push(text);
    });
    // The queue carries on after a failure; the caller's promise still sees it.
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Resolves once every append issued so far has settled. */
  flush(): Promise<void> {
    return this.queue;
  }
}
