/**
 * `dlp weights inspect` end to end (the built dist/main.js) on the weight files core's fixture
 * script wrote with PyTorch (packages/core/test/fixtures/make_weight_files.py): the table, the
 * JSON lines, and one line with exit code 2 for a missing file, a directory or a malformed file.
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { dlp, expectCleanFailure, repoRoot, tempDirFactory } from './support/run-dlp.js';

const fixtures = join(repoRoot, 'packages', 'core', 'test', 'fixtures');
const weights = (name: string) => join(fixtures, 'weights', name);
const expected = JSON.parse(readFileSync(join(fixtures, 'weight_files.expected.json'), 'utf8')) as {
  files: Record<string, Record<string, { dtype: string; shape: number[] }>>;
};
const BYTES: Record<string, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };
const tempDir = tempDirFactory('dlp-weights');

/** What inspect should list for a fixture: name, shape, dtype as stored, bytes. */
function rowsOf(file: string) {
  return Object.entries(expected.files[file]!).map(([name, { dtype, shape }]) => ({
    name,
    shape,
    dtype,
    bytes: shape.reduce((a, b) => a * b, 1) * BYTES[dtype]!,
  }));
}

describe('dlp weights inspect', () => {
  it.each([
    ['dtypes.pth', 'dtypes'],
    ['views.pth', 'views'],
    ['module-legacy.pth', 'module'],
    ['module.safetensors', 'module'],
  ])('--json: one object per tensor for %s', (file, stem) => {
    const run = dlp(['weights', 'inspect', weights(file), '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as unknown);
    const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : 1);
    // safetensors lists tensors in its writer's order; torch files in the state dict's
    const want = rowsOf(stem);
    expect(file.endsWith('.safetensors') ? [...(lines as { name: string }[])].sort(byName) : lines).toEqual(
      file.endsWith('.safetensors') ? want.sort(byName) : want,
    );
  });

  it('prints a table with a total line', () => {
    const run = dlp(['weights', 'inspect', weights('module.pth')]);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^name\s+shape\s+dtype\s+bytes$/);
    const rows = rowsOf('module');
    expect(lines).toHaveLength(rows.length + 2);
    rows.forEach((r, i) => expect(lines[i + 1]!.split(/\s{2,}/)).toEqual([r.name, `[${r.shape.join(', ')}]`, r.dtype, String(r.bytes)]));
    const total = rows.reduce((s, r) => s + r.bytes, 0);
    expect(total).toBeLessThan(1024);
    expect(lines.at(-1)).toBe(`${rows.length} tensors, ${total} bytes (${total} B) in ${weights('module.pth')} (PyTorch zip checkpoint)`);
    expect(rows.find((r) => r.name === '1.num_batches_tracked')).toEqual({ name: '1.num_batches_tracked', shape: [], dtype: 'I64', bytes: 8 });
  });

  it('ends with one line and exit code 2 for a missing file, a directory, a malformed or refused file, and no FILE', () => {
    const dir = tempDir('bad');
    expectCleanFailure(['weights', 'inspect', join(dir, 'nope.pth')], /^dlp: cannot read weights .*nope\.pth: no such file\n/);
    expectCleanFailure(['weights', 'inspect', dir], /^dlp: cannot read weights .*: is a directory\n/);
    const truncated = join(dir, 'cut.pth');
    const bytes = readFileSync(weights('module.pth'));
    writeFileSync(truncated, bytes.subarray(0, bytes.length - 100));
    expectCleanFailure(['weights', 'inspect', truncated], /^dlp: .*cut\.pth: zip archive has no end of central directory record \(truncated\?\)\n/);
    const notWeights = join(dir, 'notes.txt');
    writeFileSync(notWeights, 'hello, these are not weights\n');
    expectCleanFailure(['weights', 'inspect', notWeights], /^dlp: .*notes\.txt: not a weight file dlp reads/);
    const badSafetensors = join(dir, 'bad.safetensors');
    writeFileSync(badSafetensors, Buffer.concat([Buffer.from([24, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{"w":{"dtype":1}}'.padEnd(24))]));
    expectCleanFailure(['weights', 'inspect', badSafetensors], /^dlp: .*bad\.safetensors: tensor 'w' has no dtype string\n/);
    expectCleanFailure(['weights', 'inspect'], /^dlp: weights inspect: which file\?/);
    expectCleanFailure(['weights', 'inspect', 'a', 'b'], /^dlp: weights inspect: unexpected argument 'b'/);
  });

  it('is listed in dlp --help and has its own help', () => {
    expect(dlp(['--help']).stdout).toMatch(/weights inspect/);
    const help = dlp(['weights', 'inspect', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: dlp weights inspect FILE \[--json\]/);
  });
});
