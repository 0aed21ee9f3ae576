// The settings form's rules, as the CLI's: positive integers for steps, batch size and the
// evaluation frequency, a positive number for the learning rate; the first bad field is named.
import { describe, expect, it } from 'vitest';
import { parseSettings } from '../src/settings.js';

const names = ['numpy', 'convnet', '1', '2'];
const good = { setup: '1', steps: '1400', batchSize: '200', lr: '1e-3', evalFreq: '100' };

describe('parseSettings', () => {
  it('turns good fields into numbers', () => {
    expect(parseSettings(good, names)).toEqual({ ok: true, settings: { setup: '1', steps: 1400, batchSize: 200, lr: 0.001, evalFreq: 100 } });
    expect(parseSettings({ ...good, steps: ' 7 ', lr: '0.5' }, names)).toMatchObject({ ok: true, settings: { steps: 7, lr: 0.5 } });
  });

  it.each([
    [{ steps: '0' }, 'steps', "Steps must be a positive integer, got '0'"],
    [{ steps: '12.5' }, 'steps', "Steps must be a positive integer, got '12.5'"],
    [{ steps: '1e3' }, 'steps', "Steps must be a positive integer, got '1e3'"],
    [{ steps: '' }, 'steps', "Steps must be a positive integer, got ''"],
    [{ batchSize: '-4' }, 'batchSize', "Batch size must be a positive integer, got '-4'"],
    [{ lr: '0' }, 'lr', "Learning rate must be a number above 0, got '0'"],
    [{ lr: '-0.1' }, 'lr', "Learning rate must be a number above 0, got '-0.1'"],
    [{ lr: 'fast' }, 'lr', "Learning rate must be a number above 0, got 'fast'"],
    [{ lr: 'Infinity' }, 'lr', "Learning rate must be a number above 0, got 'Infinity'"],
    [{ evalFreq: '0' }, 'evalFreq', "Evaluate every must be a positive integer (steps), got '0'"],
    [{ setup: 'densenet121' }, 'setup', "unknown setup 'densenet121': expected one of numpy, convnet, 1, 2"],
  ])('refuses %o, naming %s', (change, field, message) => {
    expect(parseSettings({ ...good, ...change }, names)).toEqual({ ok: false, field, message });
  });
});
