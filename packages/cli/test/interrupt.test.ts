/**
 * The signal trap of `dlp train` (src/interrupt.ts), in process: nothing is caught before arm();
 * the first signal aborts the run's signal with its name; a second, of either kind, exits at once
 * with its own code (130 SIGINT, 143 SIGTERM); release() hands the signals back. Also the resume
 * command as printed.
 */

import { afterEach, describe, expect, it, vi } from 'vitest';
import { createInterruptTrap, resumeCommand } from '../src/interrupt.js';

afterEach(() => vi.restoreAllMocks());

function exitSpy() {
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  return vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
}

describe('createInterruptTrap', () => {
  it('aborts on the first signal and exits at once on a second (Ctrl-C twice)', () => {
    const exit = exitSpy();
    const before = process.listenerCount('SIGINT');
    const trap = createInterruptTrap();
    expect(process.listenerCount('SIGINT')).toBe(before);
    trap.arm();
    process.emit('SIGINT');
    expect(trap.signal.aborted).toBe(true);
    expect(trap.signal.reason).toBe('SIGINT');
    expect(trap.received).toBe('SIGINT');
    expect(exit).not.toHaveBeenCalled();
    process.emit('SIGINT');
    expect(exit).toHaveBeenCalledWith(130);
    expect(process.stderr.write).toHaveBeenLastCalledWith('dlp: second signal (SIGINT): exiting now; the run folder keeps its last checkpoint\n');
    trap.release();
    expect(process.listenerCount('SIGINT')).toBe(before);
    expect(process.listenerCount('SIGTERM')).toBe(0);
  });

  it('SIGTERM first, then SIGINT: the second exits with its own code', () => {
    const exit = exitSpy();
    const trap = createInterruptTrap();
    trap.arm();
    process.emit('SIGTERM');
    expect(trap.received).toBe('SIGTERM');
    process.emit('SIGINT');
    expect(exit).toHaveBeenCalledWith(130);
    trap.release();
  });
});

describe('resumeCommand', () => {
  it('quotes the folder for a shell when needed and names pnpm dlp under the workspace script', () => {
    const saved = process.env.npm_lifecycle_event;
    try {
      process.env.npm_lifecycle_event = '';
      expect(resumeCommand('/tmp/runs/1-20250101-000000', ['--json'])).toBe('dlp train --resume /tmp/runs/1-20250101-000000 --json');
      expect(resumeCommand("/tmp/my runs/it's")).toBe(`dlp train --resume '/tmp/my runs/it'\\''s'`);
      process.env.npm_lifecycle_event = 'dlp';
      expect(resumeCommand('/r')).toBe('pnpm dlp train --resume /r');
    } finally {
      process.env.npm_lifecycle_event = saved;
    }
  });
});
