/**
 * A reader that stops reading (`dlp weights inspect --json | head -1`) closes the pipe, and the
 * next write to stdout fails with EPIPE: Node raises it as an 'error' event that nobody handles,
 * which printed a stack trace. Then the command ends quietly, as `yes | head -1` does: exit
 * 141 (128 + SIGPIPE, what the shell reports for a writer killed by a closed pipe), with the
 * usual exit hooks (a run folder's lock and temp files go).
 */

/** The exit code of a command whose stdout was closed by its reader: 128 + SIGPIPE (13). */
export const CLOSED_STDOUT_EXIT_CODE = 141;

export function endQuietlyWhenStdoutCloses(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(CLOSED_STDOUT_EXIT_CODE);
    throw error; // anything else is unexpected: keep its stack
  });
}
