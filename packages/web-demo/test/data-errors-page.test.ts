/**
 * Without data at /data/ the page asks for files, and a wrong file gets a message saying what
 * was expected. Also the settings form refuses bad values with a visible message. Needs no
 * CIFAR-10.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeBrowser, openDemo, testId, waitForState, type Demo } from './support/demo-page.js';

let demo: Demo;
beforeAll(async () => {
  demo = await openDemo({ withData: false });
});
afterAll(async () => {
  await demo?.close();
  await closeBrowser();
});

describe('the web demo without served data', () => {
  it('asks for the files and says what a wrong file should have been', async () => {
    const { page } = demo;
    expect(await waitForState(page, ['needs-data'])).toBe('needs-data');
    expect(await page.isVisible(testId('data-file-input'))).toBe(true);
    expect(await page.isDisabled(testId('start-button'))).toBe(true);

    const pick = async (name: string, bytes: Uint8Array) => {
      await page.setInputFiles(testId('data-file-input'), { name, mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });
      await page.waitForSelector(`${testId('data-error')}:not([hidden])`);
      const text = (await page.textContent(testId('data-error')))!;
      expect(await waitForState(page, ['needs-data'])).toBe('needs-data');
      await page.evaluate(() => document.querySelector('[data-testid="data-error"]')!.setAttribute('hidden', ''));
      return text;
    };
    expect(await pick('data_batch_1.bin', new Uint8Array(1000))).toMatch(/data_batch_1\.bin: 1000 bytes is not a whole number of CIFAR-10 records \(3073 bytes each/);
    expect(await pick('cifar-10-binary.tar.gz', new Uint8Array([1, 2, 3, 4]))).toMatch(/cifar-10-binary\.tar\.gz is not gzip data: expected a gzip tar holding cifar-10-batches-bin\/\*\.bin/);
    expect(await pick('holiday.jpg', new Uint8Array(3073))).toMatch(/holiday\.jpg: not a CIFAR-10 batch file; expected the six CIFAR-10 binary files/);
    expect(await pick('test_batch.bin', new Uint8Array(3073))).toMatch(/missing data_batch_1\.bin, .*data_batch_5\.bin: pick all six/);
    expect(demo.errors).toEqual([]);
  });

  it('refuses bad settings with a message beside the form', async () => {
    const { page } = demo;
    await page.selectOption(testId('setup-select'), 'convnet');
    expect(await page.inputValue(testId('steps-input'))).toBe('5000');
    expect(await page.inputValue(testId('batch-size-input'))).toBe('32');
    expect(await page.inputValue(testId('lr-input'))).toBe('0.0001');
    expect(await page.inputValue(testId('eval-freq-input'))).toBe('500');
    // The form checks itself before anything starts, even with the data missing.
    await page.evaluate(() => {
      const button = document.querySelector<HTMLButtonElement>('[data-testid="start-button"]')!;
      button.disabled = false;
    });
    await page.fill(testId('lr-input'), '-0.1');
    await page.click(testId('start-button'));
    expect(await page.textContent(testId('settings-error'))).toBe("Learning rate must be a number above 0, got '-0.1'");
    expect(await page.getAttribute(testId('lr-input'), 'aria-invalid')).toBe('true');
    await page.fill(testId('lr-input'), '0.001');
    await page.fill(testId('steps-input'), '12.5');
    await page.click(testId('start-button'));
    expect(await page.textContent(testId('settings-error'))).toBe("Steps must be a positive integer, got '12.5'");
    expect(await page.getAttribute(testId('app'), 'data-state')).toBe('needs-data');
  });
});
