// The loss and accuracy charts' configurations, shared by the CLI's PNGs and the web demo's
// live charts: one series per curve, in the order the legend shows, with gaps for a NaN loss.
import { describe, expect, it } from 'vitest';
import { trainingChartConfigs } from '../../src/plot/training-charts.js';
import * as browser from '../../src/browser.js';

const metrics = [
  { step: 1, train_loss: 2.3, train_accuracy: 0.1, test_loss: 2.2, test_accuracy: 0.15 },
  { step: 100, train_loss: Number.NaN, train_accuracy: 0.3, test_loss: 1.9, test_accuracy: 0.33 },
];

describe('trainingChartConfigs', () => {
  it('builds the loss and accuracy charts with train and test curves against the step', () => {
    const { loss, accuracy } = trainingChartConfigs(metrics, { title: 'setup 1' });
    expect(loss.options?.plugins?.title?.text).toBe('setup 1: loss');
    expect(accuracy.options?.plugins?.title?.text).toBe('setup 1: accuracy');
    expect(loss.data.datasets.map((d) => d.label)).toEqual(['train loss', 'test loss']);
    expect(accuracy.data.datasets.map((d) => d.label)).toEqual(['train accuracy', 'test accuracy']);
    expect(loss.data.datasets[0]!.data).toEqual([{ x: 1, y: 2.3 }, { x: 100, y: null }]);
    expect(accuracy.data.datasets[1]!.data).toEqual([{ x: 1, y: 0.15 }, { x: 100, y: 0.33 }]);
  });

  it('is what the browser entry exports', () => {
    expect(browser.plot.trainingChartConfigs).toBe(trainingChartConfigs);
  });
});
