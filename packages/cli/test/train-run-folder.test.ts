/**
 * `dlp train` and its run folder, refused before any data is read: a non-empty --out (naming
 * --overwrite, and --resume when it holds a run), --resume with flags that contradict the run's
 * config.json or of a folder without a run; and --help's words on all this. (Runs writing a
 * folder: train-lock, train-second-signal and train-interrupt tests.)
 */

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dataDir, dlp, expectCleanFailure, tempDirFactory } from './support/run-dlp.js';

const tempDir = tempDirFactory('dlp-run-folder');

/** A folder holding an earlier run's files (a fake checkpoint) and a note of the user's. */
function earlierRun(): string {
  const out = join(tempDir('earlier'), 'run');
  mkdirSync(out);
  const config = { setup: 'numpy', steps: 300, batchSize: 200, lr: 0.001, evalFreq: 100, seed: 42, backend: 'native', data_dir: dataDir };
  writeFileSync(join(out, 'config.json'), JSON.stringify(config));
  writeFileSync(join(out, 'checkpoint.safetensors'), 'old');
  writeFileSync(join(out, 'metrics.jsonl'), '{"event":"eval","step":1}\n');
  writeFileSync(join(out, 'notes.txt'), 'keep');
  return out;
}

describe('dlp train run folders, refused up front', () => {
  it('a non-empty --out, naming --overwrite and --resume', () => {
    const out = earlierRun();
    expectCleanFailure(
      ['train', '--setup', 'numpy', '--out', out],
      new RegExp(`^dlp: --out ${out} is not empty \\(4 entries, e\\.g\\. checkpoint\\.safetensors\\): add --overwrite to replace the run files in it, or use --resume ${out} to continue its run, or choose another --out\\n$`),
    );
    expect(readFileSync(join(out, 'metrics.jsonl'), 'utf8')).toBe('{"event":"eval","step":1}\n');
  });

  it('--resume with flags that contradict the run, with --overwrite, or of a folder without a run', () => {
    const out = earlierRun();
    expectCleanFailure(['train', '--resume', out, '--lr', '0.5'], new RegExp(`--resume ${out}: --lr 0\\.5 contradicts the run's lr 0\\.001 \\(config\\.json\\); leave --lr out`));
    expectCleanFailure(['train', '--resume', out, '--setup', '6'], /--setup 6 contradicts the run's setup numpy/);
    expectCleanFailure(['train', '--resume', out, '--overwrite'], /--overwrite and --resume contradict each other: give one/);
    expectCleanFailure(['train', '--resume', tempDir('empty')], /no config\.json in it \(not a dlp run folder\)/);
    expectCleanFailure(['train'], /--setup is required \(one of .*\), or --resume DIR to continue a run/);
  });

  it('--help documents --resume, --overwrite, the checkpoint and the signals', () => {
    const help = dlp(['train', '--help']).stdout;
    for (const text of ['--resume DIR', '--overwrite', 'checkpoint.safetensors', 'Ctrl-C or SIGTERM', '130 (SIGINT) or 143 (SIGTERM)']) expect(help).toContain(text);
  });
});
