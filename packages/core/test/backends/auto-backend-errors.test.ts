/**
 * `auto` passes over backends that are unavailable (BackendUnavailableError) and nothing else:
 * any other error while creating one is a bug and reaches the caller unchanged.
 */

import { expect, it } from 'vitest';
import { getBackend, registerBackend } from '../../src/index.js';

it("'auto' does not hide a backend's bug behind a fallback", () => {
  registerBackend('native', {
    create: () => {
      throw new TypeError('a bug in the native factory');
    },
  });
  expect(() => getBackend('auto')).toThrow(TypeError);
  expect(() => getBackend('auto')).toThrow('a bug in the native factory');
});
