import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createCanvas, loadImage } from '@napi-rs/canvas';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ArgumentError } from '../../src/errors.js';
import { lineChartConfig, SERIES_COLORS } from '../../src/plot/line-chart.js';
import { renderLineChartPng, writeTrainingPlots, type TrainingMetricsPoint } from '../../src/plot/render-png.js';

/** Width and height from the PNG's IHDR chunk, after checking the signature. */
function pngSize(png: Uint8Array): { width: number; height: number } {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(new TextDecoder().decode(png.subarray(12, 16))).toBe('IHDR');
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** Decodes a PNG and counts pixels near each colour, distinct colours, and the corner pixel. */
async function pixelStats(png: Uint8Array, colors: readonly string[]) {
  const image = await loadImage(Buffer.from(png));
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0);
  const { data } = ctx.getImageData(0, 0, image.width, image.height);
  const targets = colors.map((c) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)));
  const near = targets.map(() => 0);
  const distinct = new Set<number>();
  for (let p = 0; p < data.length; p += 4) {
    const r = data[p]!, g = data[p + 1]!, b = data[p + 2]!;
    distinct.add((r << 16) | (g << 8) | b);
    targets.forEach(([tr, tg, tb], k) => {
      if (Math.abs(r - tr!) + Math.abs(g - tg!) + Math.abs(b - tb!) < 30) near[k]!++;
    });
  }
  return { near, distinct: distinct.size, corner: [...data.subarray(0, 4)] };
}

const metrics: TrainingMetricsPoint[] = Array.from({ length: 15 }, (_, k) => ({
  step: k * 100,
  train_loss: 2.3 * Math.exp(-k / 6) + 0.9,
  train_accuracy: 0.1 + 0.45 * (1 - Math.exp(-k / 4)),
  test_loss: 2.3 * Math.exp(-k / 7) + 1.1,
  test_accuracy: 0.1 + 0.38 * (1 - Math.exp(-k / 4)),
}));

describe('lineChartConfig', () => {
  it('builds a titled line chart with labelled axes, a legend and one dataset per series', () => {
    const config = lineChartConfig({
      title: 'run',
      xLabel: 'step',
      yLabel: 'loss',
      series: [
        { label: 'train', points: [[0, 2], [1, Number.NaN], [Number.POSITIVE_INFINITY, 1], [2, 1.5]] },
        { label: 'test', points: [[0, 2.1]], color: '#000000', dashed: true },
      ],
      yMin: 0,
    });
    expect(config.type).toBe('line');
    expect(config.options?.plugins?.title).toMatchObject({ display: true, text: 'run' });
    expect(config.options?.plugins?.legend).toMatchObject({ display: true });
    expect(config.options?.scales?.x).toMatchObject({ type: 'linear', title: { display: true, text: 'step' } });
    expect(config.options?.scales?.y).toMatchObject({ title: { display: true, text: 'loss' }, min: 0 });
    expect(config.options?.scales?.y).not.toHaveProperty('max');
    const [train, test] = config.data.datasets;
    expect(train).toMatchObject({ label: 'train', borderColor: SERIES_COLORS[0] });
    // NaN y becomes a gap; a non-finite x is dropped
    expect(train!.data).toEqual([{ x: 0, y: 2 }, { x: 1, y: null }, { x: 2, y: 1.5 }]);
    expect(test).toMatchObject({ label: 'test', borderColor: '#000000', borderDash: [6, 4] });
  });
});

describe('renderLineChartPng', () => {
  const config = () =>
    lineChartConfig({
      title: 'test chart',
      xLabel: 'step',
      yLabel: 'loss',
      series: [
        { label: 'train', points: metrics.map((m) => [m.step, m.train_loss] as const) },
        { label: 'test', points: metrics.map((m) => [m.step, m.test_loss] as const) },
      ],
    });

  it('renders a PNG of the requested size times the pixel ratio, white, with both curves', async () => {
    const png = await renderLineChartPng(config(), { width: 400, height: 250 });
    expect(pngSize(png)).toEqual({ width: 800, height: 500 });
    const stats = await pixelStats(png, [SERIES_COLORS[0], SERIES_COLORS[1]]);
    expect(stats.corner).toEqual([255, 255, 255, 255]);
    expect(stats.near[0]).toBeGreaterThan(500);
    expect(stats.near[1]).toBeGreaterThan(500);
    expect(stats.distinct).toBeGreaterThan(20);
  });

  it('renders at ratio 1 to exactly width × height', async () => {
    const png = await renderLineChartPng(config(), { width: 321, height: 123, pixelRatio: 1 });
    expect(pngSize(png)).toEqual({ width: 321, height: 123 });
  });

  it('rejects sizes that are not positive', async () => {
    await expect(renderLineChartPng(config(), { width: 0, height: 100 })).rejects.toThrow(ArgumentError);
    await expect(renderLineChartPng(config(), { width: 100, height: Number.NaN })).rejects.toThrow(/height must be a positive number/);
    await expect(renderLineChartPng(config(), { width: 100, height: 100, pixelRatio: -1 })).rejects.toThrow(/pixelRatio/);
  });
});

describe('writeTrainingPlots', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dlp-plot-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes loss.png and accuracy.png with train and test curves, and nothing else', async () => {
    const paths = await writeTrainingPlots(dir, metrics, { title: 'setup 1', width: 400, height: 250 });
    expect(paths).toEqual({ lossPlot: join(dir, 'loss.png'), accuracyPlot: join(dir, 'accuracy.png') });
    expect(readdirSync(dir).sort()).toEqual(['accuracy.png', 'loss.png']);
    for (const path of [paths.lossPlot, paths.accuracyPlot]) {
      const png = new Uint8Array(readFileSync(path));
      expect(pngSize(png)).toEqual({ width: 800, height: 500 });
      const stats = await pixelStats(png, [SERIES_COLORS[0], SERIES_COLORS[1]]);
      expect(stats.near[0]).toBeGreaterThan(500);
      expect(stats.near[1]).toBeGreaterThan(500);
    }
  });

  it('draws an empty chart for a run without evaluations', async () => {
    await writeTrainingPlots(dir, [], { title: 'empty', width: 200, height: 150, pixelRatio: 1 });
    expect(pngSize(new Uint8Array(readFileSync(join(dir, 'loss.png'))))).toEqual({ width: 200, height: 150 });
  });
});
