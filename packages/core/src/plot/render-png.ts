/**
 * Line charts to PNG in Node: chart.js drawn on @napi-rs/canvas (Skia; prebuilt binaries from
 * npm, no cairo). Node only, and not part of the browser entry. @napi-rs/canvas and chart.js
 * load on first use, so importing @dlp/core costs nothing until a plot is drawn.
 */

import { join } from 'node:path';

import type { Plugin } from 'chart.js';

import { ArgumentError, MissingDependencyError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import type { LineChartConfig } from './line-chart.js';
import { trainingChartConfigs, type TrainingMetricsPoint } from './training-charts.js';

type ChartModule = typeof import('chart.js');
type CanvasModule = typeof import('@napi-rs/canvas');
let libraries: Promise<{ chart: ChartModule; canvas: CanvasModule }> | undefined;

/**
 * @napi-rs/canvas, an optional peer dependency of @dlp/core (its prebuilt Skia is about 35 MB,
 * which a library user who never draws a PNG should not have to install; @dlp/cli depends on it).
 */
async function importCanvas(): Promise<CanvasModule> {
  try {
    return await import('@napi-rs/canvas');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw error;
    throw new MissingDependencyError(
      'drawing PNG plots needs the optional package @napi-rs/canvas, which is not installed: npm install @napi-rs/canvas',
    );
  }
}

/** chart.js (with its chart types registered once) and the canvas, loaded on first use. */
function loadLibraries(): Promise<{ chart: ChartModule; canvas: CanvasModule }> {
  libraries ??= Promise.all([import('chart.js'), importCanvas()]).then(([chart, canvas]) => {
    chart.Chart.register(...chart.registerables);
    return { chart, canvas };
  });
  // A failed load is not remembered: installing the package lets the next call succeed.
  libraries.catch(() => {
    libraries = undefined;
  });
  return libraries;
}

/** Paints the background before chart.js draws (it leaves the canvas transparent). */
function backgroundPlugin(color: string): Plugin<'line'> {
  return {
    id: 'dlpBackground',
    beforeDraw(chart) {
      const { ctx } = chart;
      ctx.save();
      ctx.fillStyle = color;
      ctx.fillRect(0, 0, chart.width, chart.height);
      ctx.restore();
    },
  };
}

export interface RenderPngOptions {
  /** Layout width in CSS pixels (fonts and lines are sized against it). */
  width: number;
  /** Layout height in CSS pixels. */
  height: number;
  /** Device pixels per CSS pixel, default 2: the PNG is `width·ratio × height·ratio` pixels. */
  pixelRatio?: number;
  /** CSS colour of the background, default white. */
  background?: string;
}

/**
 * Draws a chart.js line chart (see {@link lineChartConfig}) and returns it as PNG bytes.
 * Animation and responsive resizing are turned off, so the chart is complete when drawn.
 * The PNG is `round(width·pixelRatio) × round(height·pixelRatio)` pixels.
 *
 * @throws ArgumentError for a width, height or pixel ratio that is not a positive number.
 */
export async function renderLineChartPng(config: LineChartConfig, options: RenderPngOptions): Promise<Uint8Array> {
  const { width, height } = options;
  const pixelRatio = options.pixelRatio ?? 2;
  for (const [name, value] of [['width', width], ['height', height], ['pixelRatio', pixelRatio]] as const) {
    if (!Number.isFinite(value) || value <= 0) throw new ArgumentError(`renderLineChartPng: ${name} must be a positive number, got ${value}`);
  }
  if (Math.round(width * pixelRatio) > 16384 || Math.round(height * pixelRatio) > 16384) {
    throw new ArgumentError(`renderLineChartPng: ${width}×${height} at ratio ${pixelRatio} is over 16384 pixels a side`);
  }
  const { chart: chartjs, canvas: skia } = await loadLibraries();
  // chart.js sizes the chart from the canvas (CSS pixels), then scales the canvas by the ratio.
  const canvas = skia.createCanvas(Math.round(width), Math.round(height));
  const context = canvas.getContext('2d');
  const chart = new chartjs.Chart(context as unknown as CanvasRenderingContext2D, {
    ...config,
    options: {
      ...config.options,
      animation: false,
      responsive: false,
      maintainAspectRatio: false,
      devicePixelRatio: pixelRatio,
    },
    plugins: [...(config.plugins ?? []), backgroundPlugin(options.background ?? '#ffffff')],
  });
  try {
    const png = await canvas.encode('png');
    return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
  } finally {
    chart.destroy();
  }
}

export type { TrainingMetricsPoint };

export interface TrainingPlotsOptions {
  /** Names the run, e.g. `setup 3 (runs/3-20250101-120000)`; each chart's title starts with it. */
  title: string;
  /** Layout size in CSS pixels, default 800×500 (PNG 1600×1000 at the default ratio 2). */
  width?: number;
  height?: number;
  pixelRatio?: number;
}

/**
 * Writes `loss.png` and `accuracy.png` into `dir` (which must exist), each atomically, with the
 * train and test curves against the step.
 *
 * @returns the two paths written.
 */
export async function writeTrainingPlots(
  dir: string,
  metrics: readonly TrainingMetricsPoint[],
  options: TrainingPlotsOptions,
): Promise<{ lossPlot: string; accuracyPlot: string }> {
  const size = { width: options.width ?? 800, height: options.height ?? 500, pixelRatio: options.pixelRatio ?? 2 };
  const { loss, accuracy } = trainingChartConfigs(metrics, options);
  const lossPlot = join(dir, 'loss.png');
  const accuracyPlot = join(dir, 'accuracy.png');
  // Both rendered before either is written, so a rendering error leaves both files as they were.
  const [lossPng, accuracyPng] = await Promise.all([renderLineChartPng(loss, size), renderLineChartPng(accuracy, size)]);
  await writeFileAtomic(lossPlot, lossPng);
  await writeFileAtomic(accuracyPlot, accuracyPng);
  return { lossPlot, accuracyPlot };
}
