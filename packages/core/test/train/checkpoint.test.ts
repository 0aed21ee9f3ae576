// The checkpoint a run writes at each evaluation (checkpoint.safetensors): what it holds and
// under which names, the session state between evaluation chunks, and what runExperiment
// refuses when resuming (contradicting settings, other data, a folder that is not a run, a file
// that is not a checkpoint) or starting (a non-empty folder) — before it changes anything.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ArgumentError, DataError, getBackend, io, Rng, train } from '../../src/index.js';
import { cifar10FromBytes } from '../../src/data/cifar10-bytes.js';
import { batchBytes } from '../data/helpers.js';
import { data, tempDir } from './resume-support.js';

describe('checkpoint.safetensors', () => {
  it('holds the model as model.<PyTorch name>, Adam state as optimizer.state.<i>.<key>, and the rest as JSON', async () => {
    const out = tempDir('contents');
    await train.runExperiment({ setup: 'tiny-resume', backend: 'js', data, out, steps: 9, evalFreq: 4 });
    const file = await io.loadSafetensors(join(out, 'checkpoint.safetensors'));
    const names = Object.keys(file.tensors);
    expect(names).toContain('model.0.layers.0.running_mean');
    expect(names).toContain('model.0.layers.0.num_batches_tracked');
    expect(names).toContain('model.0.layers.1.weight');
    expect(names).toContain('optimizer.state.0.exp_avg');
    expect(names).toContain('optimizer.state.7.exp_avg_sq');
    expect(file.metadata).toMatchObject({ format: train.CHECKPOINT_FORMAT, step: '9' });

    const checkpoint = train.decodeCheckpoint(readFileSync(join(out, 'checkpoint.safetensors')));
    expect(checkpoint.session).toMatchObject({ step: 9, evaluationDue: false, sinceEval: { loss: 0, correct: 0, seen: 0 } });
    expect(checkpoint.session.evals.map((e) => e.step)).toEqual([1, 5, 9]);
    expect(checkpoint.session.batches).toMatchObject({ step: 9, epoch: 0, position: 36 });
    expect(checkpoint.trainer.optimizer!.state[0]!.step).toBe(9);
    expect(checkpoint.trainer.optimizer!.param_groups[0]).toMatchObject({ lr: 0.01, betas: [0.9, 0.999], params: [0, 1, 2, 3, 4, 5, 6, 7] });
    expect(Object.keys(checkpoint.trainer.generators!)).toEqual(['1']);
    expect(checkpoint.run).toMatchObject({ setup: 'tiny-resume', seed: 42, data: { train: 40, test: 8 } });
    expect(readdirSync(out).sort()).toEqual(['accuracy.png', 'checkpoint.safetensors', 'config.json', 'loss.png', 'metrics.jsonl', 'model.safetensors']);
  });

  it('refuses bytes that are not a dlp checkpoint', () => {
    const plain = io.encodeSafetensors({ w: { dtype: 'F32', shape: [1], data: new Float32Array(1) } }, { format: 'pt' });
    expect(() => train.decodeCheckpoint(plain, 'x.safetensors')).toThrow(DataError);
    expect(() => train.decodeCheckpoint(plain, 'x.safetensors')).toThrow("x.safetensors: not a dlp checkpoint (format 'pt', expected 'dlp-checkpoint-1')");
  });
});

describe('TrainingSession state', () => {
  it('between two evaluation chunks says the evaluation is due, and a loaded session redoes it whole', () => {
    const backend = getBackend('js');
    const build = () => train.getSetup('tiny-resume').build({ backend, rng: new Rng(1), lr: 1e-2 });
    const options = (model: train.Trainable) => ({ model, train: data.train, test: data.test, mean: data.mean, steps: 3, batchSize: 4, evalFreq: 2, seed: 3, evalChunk: 3 });
    const model = build();
    const session = new train.TrainingSession(options(model));
    session.trainStep();
    const partial = session.evaluation();
    partial.next();
    const state = session.stateDict();
    expect(state).toMatchObject({ step: 1, evaluationDue: true });
    const want = session.evaluate();

    const other = build();
    other.loadTrainerState(model.trainerState());
    const resumed = new train.TrainingSession(options(other));
    resumed.loadStateDict(JSON.parse(JSON.stringify(state)));
    expect(resumed.evaluationDue).toBe(true);
    expect(resumed.evaluate()).toEqual(want);
    expect(() => resumed.loadStateDict({ ...state, step: 4 })).toThrow('training session state: step must be an integer in 0..3, got 4');
    expect(() => resumed.loadStateDict({ ...state, step: 2, evaluationDue: true })).toThrow('no evaluation is due after step 2 (eval every 2)');
  });
});

describe('runExperiment refuses, before changing anything', () => {
  it('a non-empty --out without overwrite; with overwrite it replaces the run files only', async () => {
    const out = tempDir('nonempty');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'model.safetensors'), 'old');
    writeFileSync(join(out, 'notes.txt'), 'keep');
    await expect(train.runExperiment({ setup: '1', backend: 'js', data, out, steps: 1, batchSize: 4 })).rejects.toThrow(
      /is not empty \(2 entries, e\.g\. model\.safetensors\): add --overwrite to replace the run files in it, or choose another --out$/,
    );
    expect(readFileSync(join(out, 'model.safetensors'), 'utf8')).toBe('old');
    await train.runExperiment({ setup: '1', backend: 'js', data, out, steps: 1, batchSize: 4, overwrite: true });
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('keep');
    expect(readFileSync(join(out, 'model.safetensors')).subarray(8, 9).toString()).toBe('{');
  });

  it('settings that contradict the resumed run, other data, --overwrite with --resume', async () => {
    const out = tempDir('contradict');
    const controller = new AbortController();
    await expect(
      train.runExperiment({ setup: '1', backend: 'js', data, out, steps: 6, evalFreq: 2, batchSize: 4, signal: controller.signal, onEval: () => controller.abort() }),
    ).rejects.toBeInstanceOf(train.TrainingInterruptedError);
    const before = readFileSync(join(out, 'checkpoint.safetensors'));
    const resume = (extra: Partial<train.RunOptions>) => train.runExperiment({ resume: out, data, ...extra });
    await expect(resume({ lr: 0.5 })).rejects.toThrow(`--resume ${out}: --lr 0.5 contradicts the run's lr 0.001 (config.json); leave --lr out to continue the run as it was`);
    await expect(resume({ setup: '2' })).rejects.toThrow("--setup 2 contradicts the run's setup 1");
    await expect(resume({ backend: 'native' })).rejects.toThrow("--backend native contradicts the run's backend js");
    await expect(resume({ out: join(out, '..', 'elsewhere') })).rejects.toThrow("contradicts the run's folder");
    await expect(resume({ overwrite: true })).rejects.toThrow('--overwrite and --resume contradict each other: give one');
    const other = cifar10FromBytes({ train: [5, 4, 3, 2, 1].map((f) => batchBytes(f, 8)), test: batchBytes(0, 8), source: 'other' }, { expectedRecords: 8 });
    await expect(resume({ data: other })).rejects.toThrow(ArgumentError);
    await expect(resume({ data: other })).rejects.toThrow(/the data in other is not what the run trained on/);
    // Equal settings are accepted; nothing above touched the checkpoint or left a lock.
    expect(readFileSync(join(out, 'checkpoint.safetensors')).equals(before)).toBe(true);
    expect(existsSync(join(out, io.RUN_FILES.metrics))).toBe(true);
    const done = await resume({ lr: 0.001, setup: '1', backend: 'js', steps: 6, out });
    expect(done.done.steps).toBe(6);
  });

  it('a folder that is not a run, and a checkpoint that is not one', async () => {
    const out = tempDir('notrun');
    await expect(train.runExperiment({ resume: out, data })).rejects.toThrow(`--resume ${out}: no such run folder`);
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'config.json'), JSON.stringify({ setup: '1' }));
    writeFileSync(join(out, 'checkpoint.safetensors'), 'junk');
    await expect(train.runExperiment({ resume: out, data })).rejects.toThrow(`--resume ${out}: its config.json has no number 'steps'`);
    const config = { setup: '1', steps: 4, batchSize: 4, lr: 0.001, evalFreq: 2, seed: 42, backend: 'js', data_dir: 'synthetic' };
    writeFileSync(join(out, 'config.json'), JSON.stringify(config));
    await expect(train.runExperiment({ resume: out, data })).rejects.toThrow(DataError);
    expect(readdirSync(out).sort()).toEqual(['checkpoint.safetensors', 'config.json']);
  });
});
