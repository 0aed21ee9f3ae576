/**
 * The live loss and accuracy charts: chart.js with core's configuration of the CLI's
 * loss.png / accuracy.png (plot.trainingChartConfigs), redrawn at each evaluation. Only the
 * rendering settings differ: the page's charts follow their box and skip animation.
 */

import { Chart, registerables } from 'chart.js';
import { plot, type train } from '@dlp/core/browser';

Chart.register(...registerables);

type LineChart = Chart<'line', plot.LinePoint[]>;

function create(canvas: HTMLCanvasElement, config: plot.LineChartConfig): LineChart {
  return new Chart(canvas, {
    ...config,
    options: { ...config.options, responsive: true, maintainAspectRatio: false, animation: false },
  });
}

/** Puts a fresh configuration's data and title into a live chart. */
function apply(chart: LineChart, config: plot.LineChartConfig): void {
  chart.data.datasets = config.data.datasets;
  chart.options.plugins!.title!.text = config.options!.plugins!.title!.text!;
  chart.update();
  // For tests and tools: how many evaluations each chart shows.
  chart.canvas.dataset.points = String(config.data.datasets[0]?.data.length ?? 0);
}

export class TrainingCharts {
  readonly #loss: LineChart;
  readonly #accuracy: LineChart;

  constructor(lossCanvas: HTMLCanvasElement, accuracyCanvas: HTMLCanvasElement, title: string) {
    const configs = plot.trainingChartConfigs([], { title });
    this.#loss = create(lossCanvas, configs.loss);
    this.#accuracy = create(accuracyCanvas, configs.accuracy);
    lossCanvas.dataset.points = accuracyCanvas.dataset.points = '0';
  }

  /** Redraws both charts from every evaluation so far. */
  show(evals: readonly train.EvalRecord[], title: string): void {
    const configs = plot.trainingChartConfigs(evals, { title });
    apply(this.#loss, configs.loss);
    apply(this.#accuracy, configs.accuracy);
  }
}
