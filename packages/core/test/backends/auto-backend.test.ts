/**
 * `auto`: the fastest backend that loads (native, wasm, js), chosen once, with one line naming
 * what it passed over and why. A native backend that cannot load is simulated by registering a
 * factory that throws as the real one does where no addon fits (this file's registry is its own:
 * vitest isolates modules per file).
 */

import { describe, expect, it } from 'vitest';
import {
  autoBackend,
  BackendUnavailableError,
  defaultBackend,
  getBackend,
  loadBackend,
  onBackendFallback,
  registerBackend,
  Tensor,
} from '../../src/index.js';
import { napiPlatform } from '../../src/backends/native/binding.js';

const lines: string[] = [];
onBackendFallback((line) => lines.push(line));
let nativeAttempts = 0;
registerBackend('native', {
  create: () => {
    nativeAttempts++;
    throw new BackendUnavailableError('native backend unavailable: no addon is made for linux-riscv64-gnu (there are: linux-x64-gnu)');
  },
});

describe("the 'auto' backend", () => {
  it('falls back to wasm when native cannot load, saying why in one line, once', async () => {
    expect(getBackend('auto').name).toBe('wasm');
    expect(autoBackend().name).toBe('wasm');
    expect((await loadBackend('auto')).name).toBe('wasm');
    expect(defaultBackend().name).toBe('wasm');
    expect(Tensor.zeros([2]).backend.name).toBe('wasm');
    expect(lines).toEqual([
      'dlp: using the wasm backend: native backend unavailable: no addon is made for linux-riscv64-gnu (there are: linux-x64-gnu)',
    ]);
    expect(nativeAttempts).toBe(1);
  });

  it('still lets a backend be named: native keeps its own error', () => {
    expect(() => getBackend('native')).toThrow(BackendUnavailableError);
    expect(() => getBackend('native')).toThrow(/no addon is made for linux-riscv64-gnu/);
  });
});

describe('the addon platform name', () => {
  it("is napi-rs's name for this machine, which names the platform package", () => {
    const expected = process.platform === 'linux' ? `linux-${process.arch}-` : `${process.platform}-${process.arch}`;
    expect(napiPlatform().startsWith(expected)).toBe(true);
    if (process.platform === 'linux') expect(napiPlatform()).toMatch(/-(gnu|musl)$/);
  });
});
