/**
 * The page: controls, data loading, and the display of what the training worker reports. The
 * page never trains (worker.ts does, on core's TrainingSession), so it stays responsive. Its
 * state is on the root element's `data-state` for people's CSS and for tests:
 * loading-data → needs-data (no served data: pick files) → ready → training ⇄ paused,
 * evaluating → done; failed when the backend or a run fails.
 */

import './style.css';
import { data, train } from '@dlp/core/browser';
import { byTestId, showValue } from './dom.js';
import type { BatchFiles } from './batch-files.js';
import { TrainingCharts } from './charts.js';
import { readPickedFiles } from './picked-files.js';
import { renderPredictions } from './prediction-grid.js';
import { formatDuration, secondsLeft, stepsPerSecond } from './progress-stats.js';
import type { PageToWorker, RunSettings, WorkerToPage } from './protocol.js';
import { fetchServedData } from './served-data.js';
import { parseSettings, type SettingsInput } from './settings.js';

type PageState = 'loading-data' | 'needs-data' | 'ready' | 'training' | 'paused' | 'evaluating' | 'done' | 'failed';

const app = byTestId('app');
const form = {
  setup: byTestId<HTMLSelectElement>('setup-select'),
  steps: byTestId<HTMLInputElement>('steps-input'),
  batchSize: byTestId<HTMLInputElement>('batch-size-input'),
  lr: byTestId<HTMLInputElement>('lr-input'),
  evalFreq: byTestId<HTMLInputElement>('eval-freq-input'),
};
const ui = {
  description: byTestId('setup-description'),
  settingsError: byTestId('settings-error'),
  start: byTestId<HTMLButtonElement>('start-button'),
  pause: byTestId<HTMLButtonElement>('pause-button'),
  reset: byTestId<HTMLButtonElement>('reset-button'),
  dataStatus: byTestId('data-status'),
  dataProgress: byTestId<HTMLProgressElement>('data-progress'),
  dataPicker: byTestId('data-picker'),
  dataFile: byTestId<HTMLInputElement>('data-file-input'),
  dataError: byTestId('data-error'),
  backend: byTestId('backend-info'),
  runStatus: byTestId('run-status'),
  stepCount: byTestId('step-count'),
  trainLoss: byTestId('train-loss'),
  trainAccuracy: byTestId('train-accuracy'),
  testLoss: byTestId('test-loss'),
  testAccuracy: byTestId('test-accuracy'),
  rate: byTestId('steps-per-second'),
  eta: byTestId('eta'),
  evalProgress: byTestId<HTMLProgressElement>('eval-progress'),
  evalProgressText: byTestId('eval-progress-text'),
  grid: byTestId('prediction-grid'),
  gridCaption: byTestId('prediction-caption'),
};

/** The run the page shows: its settings and what the worker reported so far. */
interface RunView {
  id: number;
  settings: RunSettings;
  evals: train.EvalRecord[];
  step: number;
  trainSeconds: number;
  evalSeconds: number;
}

const setupNames = train.setupNames().filter((name) => name !== 'densenet121');
const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
const send = (message: PageToWorker, transfer: Transferable[] = []) => worker.postMessage(message, transfer);
const charts = new TrainingCharts(byTestId('loss-chart'), byTestId('accuracy-chart'), 'dlp');
let state: PageState = 'loading-data';
let backendReady = false;
let dataReady = false;
let classNames: readonly string[] = data.CIFAR10_CLASS_NAMES;
let run: RunView | undefined;
let runs = 0;

const fmt = (x: number, digits = 4) => (Number.isFinite(x) ? x.toFixed(digits) : String(x));
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
const chartTitle = (setup: string) => `dlp setup ${setup} (wasm)`;

function setState(next: PageState): void {
  state = next;
  app.dataset.state = next;
  const active = next === 'training' || next === 'paused' || next === 'evaluating';
  ui.start.disabled = !(backendReady && dataReady) || active;
  ui.pause.disabled = !active;
  ui.pause.textContent = next === 'paused' ? 'Resume' : 'Pause';
  ui.pause.dataset.action = next === 'paused' ? 'resume' : 'pause';
  ui.pause.setAttribute('aria-pressed', String(next === 'paused'));
  ui.reset.disabled = run === undefined;
  for (const input of Object.values(form)) input.disabled = active;
  const words: Record<PageState, string> = {
    'loading-data': 'Loading CIFAR-10…',
    'needs-data': 'Waiting for the CIFAR-10 files.',
    ready: 'Ready to train.',
    training: 'Training…',
    paused: 'Paused.',
    evaluating: 'Evaluating on the test set…',
    done: 'Done.',
    failed: 'Stopped.',
  };
  // A failure's message is set by whoever saw it.
  if (next !== 'failed') ui.runStatus.textContent = words[next];
}

// ---- settings ----

function fillSetups(): void {
  form.setup.replaceChildren(
    ...setupNames.map((name) => {
      const option = document.createElement('option');
      option.value = name;
      option.textContent = name === 'numpy' ? 'numpy (hand-written backprop)' : name === 'convnet' ? 'convnet (ResNet-style CNN)' : `${name} (autograd MLP)`;
      return option;
    }),
  );
  form.setup.value = setupNames.includes('1') ? '1' : setupNames[0]!;
}

/** Puts the setup's defaults in the fields, as `dlp train --setup NAME` would use them. */
function prefill(): void {
  const setup = train.getSetup(form.setup.value);
  form.steps.value = String(setup.defaults.steps);
  form.batchSize.value = String(setup.defaults.batchSize);
  form.lr.value = String(setup.defaults.lr);
  form.evalFreq.value = String(setup.defaults.evalFreq);
  ui.description.textContent = `${setup.description}. Course reference: test accuracy ${setup.referenceAccuracy} after ${setup.defaults.steps} steps.`;
  clearSettingsError();
}

function clearSettingsError(): void {
  ui.settingsError.textContent = '';
  ui.settingsError.hidden = true;
  for (const input of Object.values(form)) input.removeAttribute('aria-invalid');
}

function readSettings(): RunSettings | undefined {
  const input: SettingsInput = {
    setup: form.setup.value,
    steps: form.steps.value,
    batchSize: form.batchSize.value,
    lr: form.lr.value,
    evalFreq: form.evalFreq.value,
  };
  const result = parseSettings(input, setupNames);
  if (result.ok) return result.settings;
  ui.settingsError.textContent = result.message;
  ui.settingsError.hidden = false;
  form[result.field].setAttribute('aria-invalid', 'true');
  form[result.field].focus();
  return undefined;
}

// ---- data ----

function showDataProgress(loaded: number, total: number, what: string): void {
  ui.dataProgress.hidden = false;
  ui.dataProgress.max = total;
  ui.dataProgress.value = loaded;
  ui.dataStatus.textContent = `${what}: ${(loaded / 1e6).toFixed(0)} of ${(total / 1e6).toFixed(0)} MB`;
}

function showDataError(message: string): void {
  ui.dataError.textContent = message;
  ui.dataError.hidden = false;
}

function askForFiles(why: string): void {
  ui.dataStatus.textContent = why;
  ui.dataProgress.hidden = true;
  ui.dataPicker.hidden = false;
  setState('needs-data');
}

function sendData(files: BatchFiles): void {
  ui.dataStatus.textContent = 'Decoding the images and computing the mean image…';
  ui.dataProgress.removeAttribute('value'); // indeterminate
  // Transferred, not copied: the worker owns the only copy of the 180 MB from here on.
  send({ type: 'data', train: files.train, test: files.test, source: files.source }, [...files.train, files.test].map((a) => a.buffer));
}

async function loadServedData(): Promise<void> {
  setState('loading-data');
  try {
    const files = await fetchServedData(new URL('data/', document.baseURI), (l, t) => showDataProgress(l, t, 'Downloading data/'));
    if (files) sendData(files);
    else askForFiles('This server does not offer CIFAR-10 at data/. Pick the files from your disk:');
  } catch (error) {
    showDataError(messageOf(error));
    askForFiles('The served data could not be used. Pick the files from your disk:');
  }
}

async function loadPickedFiles(files: File[]): Promise<void> {
  ui.dataError.hidden = true;
  setState('loading-data');
  try {
    sendData(await readPickedFiles(files, (l, t) => showDataProgress(l, t, 'Reading')));
  } catch (error) {
    showDataError(messageOf(error));
    askForFiles('Pick the files again:');
  }
}

// ---- the run ----

function resetMetrics(settings?: RunSettings): void {
  showValue(ui.stepCount, settings ? `0 / ${settings.steps}` : '0', 0);
  ui.stepCount.dataset.total = settings ? String(settings.steps) : '';
  for (const element of [ui.trainLoss, ui.trainAccuracy, ui.testLoss, ui.testAccuracy, ui.rate, ui.eta]) showValue(element, '–', '');
  ui.evalProgress.value = 0;
  ui.evalProgress.dataset.value = '0';
  ui.evalProgressText.textContent = 'No evaluation yet.';
  ui.grid.replaceChildren();
  ui.grid.dataset.count = '0';
  ui.gridCaption.textContent = 'Predictions on the first 16 test images appear at each evaluation.';
  charts.show([], chartTitle(settings?.setup ?? form.setup.value));
}

function start(): void {
  clearSettingsError();
  const settings = readSettings();
  if (!settings) return;
  run = { id: ++runs, settings, evals: [], step: 0, trainSeconds: 0, evalSeconds: 0 };
  resetMetrics(settings);
  ui.runStatus.textContent = '';
  send({ type: 'start', run: run.id, settings });
  setState('training');
}

function reset(): void {
  send({ type: 'reset' });
  run = undefined;
  resetMetrics();
  ui.runStatus.textContent = '';
  setState(backendReady && dataReady ? 'ready' : state === 'failed' ? 'failed' : 'loading-data');
}

function showEta(view: RunView): void {
  const rate = stepsPerSecond(view.step, view.trainSeconds);
  if (rate !== undefined) showValue(ui.rate, rate.toFixed(1), rate);
  const left = secondsLeft({ ...view, steps: view.settings.steps, evalFreq: view.settings.evalFreq, evalsDone: view.evals.length });
  if (left !== undefined) showValue(ui.eta, formatDuration(left), left);
}

function onRunMessage(view: RunView, message: WorkerToPage): void {
  switch (message.type) {
    case 'state':
      setState(message.state);
      break;
    case 'step':
      view.step = message.step;
      view.trainSeconds = message.trainSeconds;
      showValue(ui.stepCount, `${message.step} / ${message.steps}`, message.step);
      showValue(ui.trainLoss, fmt(message.loss), message.loss);
      showEta(view);
      break;
    case 'eval-progress': {
      const fraction = message.evaluated / message.total;
      ui.evalProgress.value = fraction;
      ui.evalProgress.dataset.value = String(fraction);
      ui.evalProgressText.textContent = `Evaluating after step ${message.step}: ${message.evaluated} of ${message.total} test images`;
      break;
    }
    case 'eval': {
      const { record } = message;
      view.evals.push(record);
      view.evalSeconds = message.evalSeconds;
      showValue(ui.testAccuracy, fmt(record.test_accuracy), record.test_accuracy);
      showValue(ui.testLoss, fmt(record.test_loss), record.test_loss);
      showValue(ui.trainAccuracy, fmt(record.train_accuracy), record.train_accuracy);
      ui.evalProgressText.textContent = `Evaluated after step ${record.step}: test accuracy ${fmt(record.test_accuracy)}`;
      charts.show(view.evals, chartTitle(view.settings.setup));
      renderPredictions(ui.grid, message.predictions, classNames);
      ui.gridCaption.textContent = `The model after step ${record.step} on the first ${message.predictions.labels.length} test images: ${ui.grid.dataset.correct} right.`;
      showEta(view);
      break;
    }
    case 'done':
      view.trainSeconds = message.trainSeconds;
      showValue(ui.eta, formatDuration(0), 0);
      setState('done');
      ui.runStatus.textContent = `Done: test accuracy ${fmt(message.final.test_accuracy)} after ${message.final.step} steps (${stepsPerSecond(message.final.step, message.trainSeconds)?.toFixed(1) ?? '–'} steps/s).`;
      break;
    case 'error':
      ui.runStatus.textContent = `The run stopped: ${message.message}`;
      setState('failed');
      break;
    default:
      break;
  }
}

worker.onmessage = (event: MessageEvent<WorkerToPage>) => {
  const message = event.data;
  if ('run' in message && message.run !== undefined) {
    // Late news of a run that was reset or replaced is dropped.
    if (run && message.run === run.id) onRunMessage(run, message);
    return;
  }
  switch (message.type) {
    case 'backend':
      backendReady = true;
      showValue(ui.backend, `${message.describe}${globalThis.crossOriginIsolated ? ', cross-origin isolated' : ''}`, message.describe);
      ui.backend.dataset.threads = String(message.threads);
      if (dataReady && state !== 'failed') setState('ready');
      else setState(state);
      break;
    case 'data-ready':
      dataReady = true;
      classNames = message.classNames;
      ui.dataProgress.hidden = true;
      ui.dataPicker.hidden = true;
      ui.dataError.hidden = true;
      ui.dataStatus.textContent = `CIFAR-10 loaded: ${message.train.toLocaleString('en')} training and ${message.test.toLocaleString('en')} test images.`;
      ui.dataStatus.dataset.value = 'loaded';
      if (state === 'failed') setState('failed');
      else setState(backendReady ? 'ready' : 'loading-data');
      break;
    case 'data-error':
      showDataError(message.message);
      askForFiles('Those files could not be used. Pick the files again:');
      break;
    case 'error':
      showValue(ui.backend, message.message, '');
      ui.runStatus.textContent = message.message;
      setState('failed');
      break;
    default:
      break;
  }
};

worker.onerror = (event) => {
  ui.runStatus.textContent = `The training worker failed: ${event.message}`;
  setState('failed');
};

fillSetups();
prefill();
resetMetrics();
form.setup.addEventListener('change', prefill);
for (const input of [form.steps, form.batchSize, form.lr, form.evalFreq]) input.addEventListener('input', clearSettingsError);
byTestId<HTMLFormElement>('settings-form').addEventListener('submit', (event) => {
  event.preventDefault();
  start();
});
ui.pause.addEventListener('click', () => send({ type: ui.pause.dataset.action === 'resume' ? 'resume' : 'pause' }));
ui.reset.addEventListener('click', reset);
ui.dataFile.addEventListener('change', () => void loadPickedFiles([...(ui.dataFile.files ?? [])]));
send({ type: 'init', wasmUrl: new URL('wasm/', document.baseURI).href });
setState('loading-data');
void loadServedData();
