/** Reading a weight file whole, with one clear error when it cannot be read (Node only). */

import { DataError } from '../errors.js';
import { nodeBuiltins } from '../node-builtins.js';

/**
 * Reads a weight file whole (Node only).
 *
 * @throws DataError naming the file when it is missing, a directory or unreadable.
 */
export async function readWeightFile(path: string, caller: string): Promise<Uint8Array> {
  const node = nodeBuiltins(caller);
  try {
    const buffer = await node.fs.promises.readFile(path);
    // a plain Uint8Array over the same memory: Buffer's slice() shares where Uint8Array's copies
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
    throw new DataError(`cannot read weights ${path}: ${reason}`, { cause: error });
  }
}
