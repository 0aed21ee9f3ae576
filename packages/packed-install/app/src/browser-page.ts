// A browser page's use of @dlp/core, type-checked with DOM types and without Node's: the
// "browser" condition gives the browser entry's declarations (wasm fetched, no native addon).
import { loadBackend, nn, optim, plot, Tensor } from '@dlp/core';
import * as browserEntry from '@dlp/core/browser';

export async function trainOnPage(wasmUrl: URL, canvas: HTMLCanvasElement): Promise<number> {
  const backend = await loadBackend('wasm', { wasmUrl });
  const model = new nn.Sequential(new nn.Linear(4, 2, { backend }));
  const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
  const x = Tensor.from(new Float32Array(8), [2, 4], { backend });
  const loss = nn.functional.crossEntropy(model.forward(x), [0, 1]);
  opt.zeroGrad();
  loss.backward();
  opt.step();
  const configs = plot.trainingChartConfigs([{ step: 1, train_loss: loss.item(), train_accuracy: 0.5, test_loss: 1, test_accuracy: 0.5 }], { title: 'page' });
  canvas.dataset.title = String(configs.loss.type);
  return loss.item();
}

export const sameEntry: typeof browserEntry.loadBackend = loadBackend;
