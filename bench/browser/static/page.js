// The benchmark page: bench/browser/train-step.mjs calls window.runJob(job) once per engine and
// setup; each job runs in a fresh module Web Worker (workers/<engine>.js), which posts log lines
// and then one result or error. Nothing here is timed.

const logEl = document.getElementById('log');

function show(text) {
  console.log(text);
  logEl.textContent += `${text}\n`;
}

window.pageInfo = () => ({
  crossOriginIsolated: self.crossOriginIsolated === true,
  sharedArrayBuffer: typeof SharedArrayBuffer !== 'undefined',
  hardwareConcurrency: navigator.hardwareConcurrency,
  userAgent: navigator.userAgent,
});

window.runJob = (job) =>
  new Promise((resolve) => {
    const worker = new Worker(`./workers/${job.worker}.js`, { type: 'module' });
    const done = (message) => {
      worker.terminate();
      resolve(message);
    };
    worker.onmessage = (event) => {
      const message = event.data;
      if (message.type === 'log') show(`[${job.id}] ${message.text}`);
      else done(message);
    };
    worker.onerror = (event) => done({ type: 'error', message: event.message || `worker ${job.worker}.js failed to load` });
    worker.postMessage(job);
  });
