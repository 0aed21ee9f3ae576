/**
 * Flag parsing on top of node:util's parseArgs, turning every mistake into a UsageError that
 * names the flag and what it expects.
 */

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.js';

export type FlagSpec = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/**
 * `--lr -1` as `--lr=-1`: parseArgs would read a value starting with '-' as a flag, but a
 * negative number after a flag that takes a value is a value (and gets a range error later).
 */
function joinNegativeNumbers(argv: string[], options: FlagSpec): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    const name = arg.startsWith('--') ? arg.slice(2) : undefined;
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && /^-(\d|\.\d)/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

export function parseFlags(argv: string[], options: FlagSpec, command: string): Parsed {
  try {
    const args = joinNegativeNumbers(argv, options);
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { values: values as Parsed['values'], positionals };
  } catch (error) {
    // parseArgs' messages run over several lines; the CLI's contract is one line.
    const message = error instanceof Error ? error.message : String(error);
    const ambiguous = /^Option '(--[\w-]+)[^']*' argument is ambiguous/.exec(message);
    const line = ambiguous
      ? `${ambiguous[1]} needs a value; one starting with '-' is written ${ambiguous[1]}=VALUE`
      : message.split('\n')[0]!.replace(/\. To specify a positional.*$/, '');
    throw new UsageError(`${command}: ${line} (see \`dlp ${command} --help\`)`);
  }
}

/** A string flag's value, or undefined when absent. */
export function stringFlag(parsed: Parsed, name: string): string | undefined {
  const value = parsed.values[name];
  return typeof value === 'string' ? value : undefined;
}

/** A positive integer flag (e.g. --threads 2), or `fallback` when absent. */
export function positiveIntFlag(parsed: Parsed, name: string, fallback: number): number;
export function positiveIntFlag(parsed: Parsed, name: string): number | undefined;
export function positiveIntFlag(parsed: Parsed, name: string, fallback?: number): number | undefined {
  const raw = stringFlag(parsed, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`--${name} must be a positive integer, got '${raw}'`);
  }
  return value;
}

/** Rejects positionals a command does not take. */
export function noPositionals(parsed: Parsed, command: string): void {
  if (parsed.positionals.length > 0) {
    throw new UsageError(`${command}: unexpected argument '${parsed.positionals[0]}' (see \`dlp ${command} --help\`)`);
  }
}
