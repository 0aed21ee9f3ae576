/**
 * The page keeps answering while its worker trains: a pause click stops the steps within one
 * step (the count shown once the paused state appears does not move for the next second),
 * resume continues, and reset returns to a ready page. Setup 1 on the real data.
 */

import { afterAll, describe, expect, it } from 'vitest';
import { closeBrowser, DATA_NOTE, numberOf, openDemo, skipWithoutData, startRun, testId, waitForState } from './support/demo-page.js';

afterAll(closeBrowser);

describe.skipIf(skipWithoutData)(`pause, resume and reset while training (${DATA_NOTE})`, () => {
  it('pauses within a step, resumes, and resets', async () => {
    const { page, errors, close } = await openDemo({ withData: true });
    try {
      await startRun(page, { setup: '1', steps: 1400 });
      await page.waitForFunction(() => Number(document.querySelector('[data-testid="step-count"]')?.getAttribute('data-value')) >= 20, undefined, { timeout: 15_000 });

      await page.click(testId('pause-button'));
      expect(await waitForState(page, ['paused'])).toBe('paused');
      const paused = await numberOf(page, 'step-count');
      expect(paused).toBeGreaterThanOrEqual(20);
      expect(await page.textContent(testId('pause-button'))).toBe('Resume');
      await page.waitForTimeout(1000);
      expect(await numberOf(page, 'step-count')).toBe(paused);
      expect(await page.getAttribute(testId('app'), 'data-state')).toBe('paused');

      await page.click(testId('pause-button'));
      await page.waitForFunction((before) => Number(document.querySelector('[data-testid="step-count"]')?.getAttribute('data-value')) > before, paused, { timeout: 10_000 });
      expect(['training', 'evaluating']).toContain(await page.getAttribute(testId('app'), 'data-state'));

      await page.click(testId('reset-button'));
      expect(await waitForState(page, ['ready'])).toBe('ready');
      expect(await numberOf(page, 'step-count')).toBe(0);
      // Nothing of the reset run arrives afterwards.
      await page.waitForTimeout(300);
      expect(await numberOf(page, 'step-count')).toBe(0);
      expect(await page.isEnabled(testId('start-button'))).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});
