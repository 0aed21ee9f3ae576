/**
 * Charts. `lineChartConfig` is shared with the web demo (no Node imports); the PNG renderer and
 * `writeTrainingPlots` need Node and @napi-rs/canvas. A browser entry should import
 * './line-chart.js' directly rather than this index.
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
export {
  renderLineChartPng,
  writeTrainingPlots,
  type RenderPngOptions,
  type TrainingMetricsPoint,
  type TrainingPlotsOptions,
} from './render-png.js';
