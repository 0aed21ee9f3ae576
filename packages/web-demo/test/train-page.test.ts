/**
 * The page trains setup 1 in its worker on the real CIFAR-10 served at /data/, for 100 steps
 * (evaluations after steps 1 and 100, the setup's frequency): the test accuracy it shows is
 * clearly above chance, both charts have their points, and the prediction grid is drawn.
 */

import { afterAll, describe, expect, it } from 'vitest';
import { closeBrowser, DATA_NOTE, numberOf, openDemo, skipWithoutData, startRun, testId, waitForState } from './support/demo-page.js';

afterAll(closeBrowser);

describe.skipIf(skipWithoutData)(`the web demo trains in the browser (${DATA_NOTE})`, () => {
  it('offers every setup, loads the served data, trains setup 1 for 100 steps and shows the evaluation', async () => {
    const { page, errors, close } = await openDemo({ withData: true });
    try {
      const setups = await page.$$eval(`${testId('setup-select')} option`, (options) => options.map((o) => (o as HTMLOptionElement).value));
      expect(setups).toEqual(['numpy', 'convnet', '1', '2', '3', '4', '5', '6', '7', '8', '9']);

      await startRun(page, { setup: '1', steps: 100 });
      expect(await page.textContent(testId('backend-info'))).toMatch(/^wasm \(/);
      expect(await page.inputValue(testId('batch-size-input'))).toBe('200');
      expect(await page.inputValue(testId('lr-input'))).toBe('0.001');
      expect(await waitForState(page, ['done', 'failed'], 15_000)).toBe('done');

      expect(await page.textContent(testId('step-count'))).toBe('100 / 100');
      expect(await numberOf(page, 'step-count')).toBe(100);
      const shown = await page.textContent(testId('test-accuracy'));
      expect(shown).toMatch(/^0\.\d{4}$/);
      expect(Number(shown)).toBeGreaterThan(0.25);
      expect(await numberOf(page, 'test-accuracy')).toBeCloseTo(Number(shown), 4);
      expect(await numberOf(page, 'train-loss')).toBeGreaterThan(0);
      // Two evaluations (after steps 1 and 100) on each chart.
      expect(await page.getAttribute(testId('loss-chart'), 'data-points')).toBe('2');
      expect(await page.getAttribute(testId('accuracy-chart'), 'data-points')).toBe('2');
      expect(await page.getAttribute(testId('eval-progress'), 'data-value')).toBe('1');
      expect(await page.locator(`${testId('prediction-grid')} figure`).count()).toBe(16);
      const correct = Number(await page.getAttribute(testId('prediction-grid'), 'data-correct'));
      expect(await page.locator(`${testId('prediction-grid')} figure.right`).count()).toBe(correct);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});
