/**
 * `dlp weights inspect FILE [--json]`: what a weight file holds (safetensors, or a PyTorch
 * `.pth`/`.pt` checkpoint, zip or legacy): each tensor's name, shape, dtype as stored and byte
 * size, and a total. The readers refuse malformed files and never run a pickle's code.
 */

import { io } from '@dlp/core';
import { parseFlags, type FlagSpec } from '../args.js';
import { UsageError } from '../errors.js';

export const WEIGHTS_INSPECT_HELP = `Usage: dlp weights inspect FILE [--json]

Lists the tensors of a weight file: a .safetensors file or a PyTorch checkpoint
(.pth/.pt as torch.save writes it, zip archive or the legacy format), told apart by
its first bytes. One row per tensor: name, shape, dtype as stored (F32, F16, BF16,
F64, I64, ...), size in bytes; then the total. Loading never runs code from the file
(a pickle naming anything but a state dict's parts is refused).

  --json   one JSON object per tensor per line on stdout:
           {"name":…,"shape":[…],"dtype":…,"bytes":…}
`;

const flags: FlagSpec = { json: { type: 'boolean' } };

interface TensorRow {
  name: string;
  shape: number[];
  dtype: io.WeightDType;
  bytes: number;
}

const FORMAT_NAMES: Record<io.WeightsFormat, string> = {
  safetensors: 'safetensors',
  pth: 'PyTorch zip checkpoint',
  'pth-legacy': 'PyTorch legacy checkpoint',
};

export async function runWeightsInspect(argv: string[]): Promise<number> {
  const parsed = parseFlags(argv, flags, 'weights inspect');
  if (parsed.positionals.length === 0) throw new UsageError('weights inspect: which file? (see `dlp weights inspect --help`)');
  if (parsed.positionals.length > 1) {
    throw new UsageError(`weights inspect: unexpected argument '${parsed.positionals[1]}' (one FILE; see \`dlp weights inspect --help\`)`);
  }
  const path = parsed.positionals[0]!;
  const file = await io.loadWeights(path, { halfToFloat32: false });
  // read as stored (no float16 -> float32), so each array's byteLength is the size in the file
  const rows: TensorRow[] = Object.entries(file.tensors).map(([name, t]) => ({ name, shape: t.shape, dtype: t.dtype, bytes: t.data.byteLength }));
  if (parsed.values.json === true) {
    for (const row of rows) process.stdout.write(`${JSON.stringify(row)}\n`);
    return 0;
  }
  process.stdout.write(table(rows));
  const total = rows.reduce((sum, r) => sum + r.bytes, 0);
  process.stdout.write(`${rows.length} tensor${rows.length === 1 ? '' : 's'}, ${total} bytes (${humanBytes(total)}) in ${path} (${FORMAT_NAMES[file.format]})\n`);
  return 0;
}

function table(rows: TensorRow[]): string {
  const cells = [['name', 'shape', 'dtype', 'bytes'], ...rows.map((r) => [r.name, `[${r.shape.join(', ')}]`, r.dtype, String(r.bytes)])];
  const widths = [0, 1, 2, 3].map((c) => Math.max(...cells.map((row) => row[c]!.length)));
  return cells
    .map((row) => row.map((cell, c) => (c === 3 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd() + '\n')
    .join('');
}

function humanBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
