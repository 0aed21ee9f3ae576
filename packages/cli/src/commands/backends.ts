/** `dlp backends`: which backends load here, and why the others do not. */

import { BACKEND_NAMES, DlpError, getBackend } from '@dlp/core';

export const BACKENDS_HELP = `Usage: dlp backends

Lists the backends (cuda, native, wasm, js), each with what it runs on, or why it cannot load here.
`;

export function runBackends(argv: string[]): number {
  if (argv.length > 0) {
    process.stderr.write(BACKENDS_HELP);
    return 2;
  }
  for (const name of BACKEND_NAMES) {
    try {
      process.stdout.write(`${name.padEnd(7)} ok   ${getBackend(name).describe()}\n`);
    } catch (error) {
      if (!(error instanceof DlpError)) throw error;
      process.stdout.write(`${name.padEnd(7)} --   ${error.message}\n`);
    }
  }
  return 0;
}
