#!/usr/bin/env node
// One process of bench/scale-out.mjs: times training steps of a setup on the native backend,
// alone or as one rank of an MPI job (--distributed: started by mpirun, data-parallel as
// `dlp train --distributed mpi` trains), with random batches of the setup's size (a step's
// cost does not depend on the pixels). Per step it measures the whole step and, distributed,
// the time in the gradient all-reduce (and the step's loss/count all-reduce).
//
//   [mpirun -n N] node bench/scale-out-rank.mjs --setup 5 [--batch B] [--threads T] [--steps S]
//        [--warmup W] [--distributed]
// Stdout (rank 0 only): one JSON line {setup, processes, threads, batch, step_ms: [...],
// allreduce_ms: [...], gradient_bytes}.

import { distributed, getBackend, Rng, train } from '../packages/core/dist/index.js';
import { makeFail, parseArgs, posInt, text } from './lib/options.mjs';

const fail = makeFail('scale-out-rank');
const usage = () => 'usage: [mpirun -n N] node bench/scale-out-rank.mjs --setup S [--batch B] [--threads T] [--steps S] [--warmup W] [--distributed]\n';
const o = parseArgs(
  process.argv.slice(2),
  { setup: '5', batch: 0, threads: 1, steps: 30, warmup: 5, distributed: false },
  {
    '--setup': ['setup', text], '--batch': ['batch', posInt], '--threads': ['threads', posInt], '--steps': ['steps', posInt],
    '--warmup': ['warmup', (v) => Number(v)], '--distributed': ['distributed'],
  },
  { fail, usage },
);

const backend = getBackend('native');
backend.setThreads(o.threads);
const preset = train.getSetup(o.setup);
const batch = o.batch || preset.defaults.batchSize;
const trainer = preset.build({ backend, rng: new Rng(42), lr: preset.defaults.lr });
const communicator = o.distributed ? distributed.mpiCommunicator() : undefined;
const parallel = communicator ? new distributed.DataParallel(communicator) : undefined;
let allReduceMs = 0;
if (parallel) {
  // Time the collectives inside the step.
  for (const name of ['allReduceGradients', 'combine']) {
    const original = parallel[name].bind(parallel);
    parallel[name] = (...args) => {
      const t0 = performance.now();
      try {
        return original(...args);
      } finally {
        allReduceMs += performance.now() - t0;
      }
    };
  }
  trainer.enableDataParallel(parallel, batch);
}
const { start, end } = parallel ? distributed.shardRange(batch, parallel.rank, parallel.size) : { start: 0, end: batch };
const rows = end - start;
const rng = new Rng(7 + (parallel?.rank ?? 0));
const pixels = Float32Array.from({ length: rows * 3072 }, () => rng.normal() * 60);
const labels = Uint8Array.from({ length: rows }, () => rng.nextInt(10));
const shard = { labels, loadImages: (into) => into.backend.write(into.storage, pixels) };

const stepMs = [];
const reduceMs = [];
for (let s = 0; s < o.warmup + o.steps; s++) {
  allReduceMs = 0;
  const t0 = performance.now();
  trainer.trainStep(shard);
  const dt = performance.now() - t0;
  if (s >= o.warmup) {
    stepMs.push(dt);
    reduceMs.push(allReduceMs);
  }
}
const gradientBytes = trainer.optimizer.params.reduce((n, p) => n + p.size * 4, 0);
if ((parallel?.rank ?? 0) === 0) {
  process.stdout.write(`${JSON.stringify({ setup: o.setup, processes: parallel?.size ?? 1, threads: o.threads, batch, step_ms: stepMs, allreduce_ms: reduceMs, gradient_bytes: gradientBytes })}\n`);
}
communicator?.finalize();
