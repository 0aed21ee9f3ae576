/**
 * One chart.js line-chart configuration for both places dlp draws curves: PNG files in Node
 * (render-png.ts) and the web demo's live charts. Pure data: no Node imports and no chart.js
 * runtime import (types only), so a page bundles it for free; the caller registers chart.js's
 * controllers (`Chart.register(...registerables)`) and makes the Chart.
 */

import type { ChartConfiguration } from 'chart.js';

/** One point of a curve; `y: null` leaves a gap (chart.js does not join across it). */
export interface LinePoint {
  x: number;
  y: number | null;
}

export interface LineSeries {
  label: string;
  /** `[x, y]` pairs; a non-finite y (NaN from a diverged loss) becomes a gap, a non-finite x is dropped. */
  points: ReadonlyArray<readonly [number, number]>;
  /** CSS colour; default: the next of matplotlib's tab10 colours. */
  color?: string;
  /** Draw the line dashed. */
  dashed?: boolean;
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly LineSeries[];
  /** Fixed y range ends; each defaults to fitting the data. */
  yMin?: number;
  yMax?: number;
  /** Mark every point with a dot; default: only when no series has more than 60 points. */
  showPoints?: boolean;
}

/** matplotlib's tab10, so dlp's charts read like the PyTorch course's plots. */
export const SERIES_COLORS = [
  '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd',
  '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf',
] as const;

export type LineChartConfig = ChartConfiguration<'line', LinePoint[]>;

/** Converts `[x, y]` pairs to chart.js points, turning non-finite y into gaps. */
export function toLinePoints(points: ReadonlyArray<readonly [number, number]>): LinePoint[] {
  const out: LinePoint[] = [];
  for (const [x, y] of points) {
    if (!Number.isFinite(x)) continue;
    out.push({ x, y: Number.isFinite(y) ? y : null });
  }
  return out;
}

/**
 * The chart.js configuration of a line chart with a linear x axis: title, labelled axes, a
 * legend, one line per series. Rendering settings (animation, responsiveness, pixel ratio) are
 * left to the caller: the PNG renderer turns animation off, a page may keep it.
 */
export function lineChartConfig(options: LineChartOptions): LineChartConfig {
  const showPoints = options.showPoints ?? options.series.every((s) => s.points.length <= 60);
  const axisTitle = (text: string) => ({ display: true, text, font: { size: 14 } });
  return {
    type: 'line',
    data: {
      datasets: options.series.map((s, i) => {
        const color = s.color ?? SERIES_COLORS[i % SERIES_COLORS.length]!;
        return {
          label: s.label,
          data: toLinePoints(s.points),
          borderColor: color,
          backgroundColor: color,
          borderWidth: 2,
          borderDash: s.dashed === true ? [6, 4] : [],
          pointRadius: showPoints ? 2.5 : 0,
          pointHoverRadius: 4,
          tension: 0,
          fill: false,
          spanGaps: false,
        };
      }),
    },
    options: {
      // Points are already {x, y} numbers: skip chart.js's parsing.
      parsing: false,
      // Room for the last x tick label, which chart.js centres on the plot's right edge.
      layout: { padding: { top: 4, right: 24, bottom: 4, left: 4 } },
      scales: {
        x: { type: 'linear', title: axisTitle(options.xLabel) },
        y: {
          type: 'linear',
          title: axisTitle(options.yLabel),
          ...(options.yMin !== undefined ? { min: options.yMin } : {}),
          ...(options.yMax !== undefined ? { max: options.yMax } : {}),
        },
      },
      plugins: {
        title: { display: true, text: options.title, font: { size: 16, weight: 'bold' } },
        legend: { display: true, position: 'top', labels: { boxWidth: 24, boxHeight: 2 } },
      },
    },
  };
}
