/**
 * Charts. The chart configurations (portable.ts) have no Node imports and are shared with the
 * web demo; the PNG renderer and `writeTrainingPlots` need Node and @napi-rs/canvas. A browser
 * page gets the portable part from `@dlp/core/browser` (`plot`).
 */

export * from './portable.js';
export {
  renderLineChartPng,
  writeTrainingPlots,
  type RenderPngOptions,
  type TrainingPlotsOptions,
} from './render-png.js';
