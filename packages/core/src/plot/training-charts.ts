/**
 * The two charts of a training run, loss and accuracy against the step (train and test
 * curves), as chart.js configurations. The CLI renders them to loss.png / accuracy.png
 * (render-png.ts) and the web demo draws them live, so both show the same charts. No Node.
 */

import { lineChartConfig, type LineChartConfig } from './line-chart.js';

/** One evaluation's numbers, as in `metrics.jsonl`'s eval lines. */
export interface TrainingMetricsPoint {
  step: number;
  train_loss: number;
  train_accuracy: number;
  test_loss: number;
  test_accuracy: number;
}

export interface TrainingChartConfigs {
  loss: LineChartConfig;
  accuracy: LineChartConfig;
}

/**
 * The loss and accuracy charts of `metrics`, titled `<title>: loss` and `<title>: accuracy`.
 * @example
 * const { loss } = trainingChartConfigs([{ step: 1, train_loss: 2.3, train_accuracy: 0.1, test_loss: 2.2, test_accuracy: 0.15 }], { title: 'setup 1' });
 */
export function trainingChartConfigs(metrics: readonly TrainingMetricsPoint[], options: { title: string }): TrainingChartConfigs {
  const curve = (key: keyof TrainingMetricsPoint) => metrics.map((m) => [m.step, m[key]] as const);
  return {
    loss: lineChartConfig({
      title: `${options.title}: loss`,
      xLabel: 'step',
      yLabel: 'loss',
      series: [
        { label: 'train loss', points: curve('train_loss') },
        { label: 'test loss', points: curve('test_loss') },
      ],
    }),
    accuracy: lineChartConfig({
      title: `${options.title}: accuracy`,
      xLabel: 'step',
      yLabel: 'accuracy',
      series: [
        { label: 'train accuracy', points: curve('train_accuracy') },
        { label: 'test accuracy', points: curve('test_accuracy') },
      ],
    }),
  };
}
