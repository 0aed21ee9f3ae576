/**
 * The part of the plotting API that needs no Node (the browser entry's `plot`): chart.js
 * configurations, shared by the CLI's PNGs and the web demo's live charts.
 */
export {
  lineChartConfig,
  toLinePoints,
  SERIES_COLORS,
  type LineChartConfig,
  type LineChartOptions,
  type LinePoint,
  type LineSeries,
} from './line-chart.js';
export { trainingChartConfigs, type TrainingChartConfigs, type TrainingMetricsPoint } from './training-charts.js';
