/**
 * The grid of test images with the model's guess: each 32×32 image drawn from its CHW bytes,
 * the predicted class and its probability, green when right and red when wrong.
 */

import type { Predictions } from './protocol.js';

const PIXELS = 32 * 32;

/** CHW bytes (R plane, G plane, B plane) as the RGBA an ImageData holds. */
export function chwToRgba(chw: Uint8Array): Uint8ClampedArray<ArrayBuffer> {
  const rgba = new Uint8ClampedArray(PIXELS * 4);
  for (let p = 0; p < PIXELS; p++) {
    rgba[4 * p] = chw[p]!;
    rgba[4 * p + 1] = chw[PIXELS + p]!;
    rgba[4 * p + 2] = chw[2 * PIXELS + p]!;
    rgba[4 * p + 3] = 255;
  }
  return rgba;
}

/** The most probable class of row `r` and its probability. */
export function topClass(probs: Float32Array, r: number, classes: number): { index: number; p: number } {
  let best = 0;
  for (let c = 1; c < classes; c++) if (probs[r * classes + c]! > probs[r * classes + best]!) best = c;
  return { index: best, p: probs[r * classes + best]! };
}

export function renderPredictions(container: HTMLElement, predictions: Predictions, classNames: readonly string[]): void {
  const classes = classNames.length;
  let right = 0;
  const cells = predictions.labels.map((label, r) => {
    const { index, p } = topClass(predictions.probs, r, classes);
    const correct = index === label;
    if (correct) right++;
    const cell = document.createElement('figure');
    cell.className = `prediction ${correct ? 'right' : 'wrong'}`;
    cell.dataset.correct = String(correct);
    cell.dataset.predicted = classNames[index]!;
    cell.dataset.label = classNames[label]!;
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 32;
    canvas.getContext('2d')!.putImageData(new ImageData(chwToRgba(predictions.pixels.subarray(r * 3072, (r + 1) * 3072)), 32, 32), 0, 0);
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', `test image ${predictions.indices[r]}: a ${classNames[label]}`);
    const caption = document.createElement('figcaption');
    caption.textContent = `${classNames[index]} ${Math.round(p * 100)}%`;
    caption.title = correct ? `right: a ${classNames[label]}` : `wrong: a ${classNames[label]}`;
    cell.append(canvas, caption);
    return cell;
  });
  container.replaceChildren(...cells);
  container.dataset.count = String(cells.length);
  container.dataset.correct = String(right);
}
