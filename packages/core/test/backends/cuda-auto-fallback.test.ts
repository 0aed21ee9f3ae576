/**
 * `auto` reports a cuda backend that is set up but does not load (a driver without a GPU, a
 * missing cuBLAS) in its one line, like any faster backend it passes over. Simulated by
 * registering a factory that throws as the real one does there (this file's registry is its
 * own: vitest isolates modules per file).
 */

import { expect, it } from 'vitest';
import { BackendUnavailableError, getBackend, onBackendFallback, registerBackend } from '../../src/index.js';

const lines: string[] = [];
onBackendFallback((line) => lines.push(line));
registerBackend('cuda', {
  create: () => {
    throw new BackendUnavailableError('cuda backend unavailable: no CUDA device: the driver found no GPU');
  },
});

it('names the cuda backend it passed over, and why', () => {
  expect(getBackend('auto').name).toBe('native');
  expect(lines).toEqual(['dlp: using the native backend: cuda backend unavailable: no CUDA device: the driver found no GPU']);
});
