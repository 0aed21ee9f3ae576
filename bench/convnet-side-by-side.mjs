#!/usr/bin/env node
// Side-by-side speed of dlp's ConvNet (`dlp train --setup convnet`, DESIGN.md experiment 4)
// against the same model in PyTorch on CPU, on the same machine, at the same thread count:
//
//   dlp native   RAYON_NUM_THREADS=T node bench/peers/convnet_dlp.mjs   (the preset's own trainer)
//   PyTorch      bench/peers/convnet_torch.py --threads T               (float32, CPU, oneDNN), with
//                --python (Debian's 1.13 by default) and, given --pip-python, a second PyTorch
//                (2.x from pip: MKL + oneDNN)
//
// The report states the CPU's FMA peak measured in the same run (bench/fma-peak) and checks
// issue 17's targets against the faster PyTorch: step <= 0.6x, evaluation <= 0.4x, peak RSS
// <= 0.7x.
//
// Each process times --steps training steps at batch 32 after --warmup untimed ones (the median
// step is reported), then evaluates --eval-images test images in chunks of --eval-chunk, and runs
// under `/usr/bin/time -v` (peak resident memory). dlp runs, then each PyTorch, ONE AT A TIME; the
// sequence is repeated R times (--repeats, default 3). The report gives medians over the repeats,
// the min–max, and the ratio dlp / PyTorch of each back-to-back pair. Writes
// docs/results/convnet-speed.md and docs/results/convnet-speed.jsonl (every line printed, tagged
// with implementation and repeat), atomically.
//
// Usage (from the repository root, on a quiet machine):
//   pnpm build
//   node bench/convnet-side-by-side.mjs [--repeats R] [--threads T] [--steps N] [--warmup N]
//        [--eval-images N] [--eval-chunk N] [--data-dir DIR] [--python PATH] [--pip-python PATH]
//        [--out-dir DIR]

import fs from 'node:fs';
import os from 'node:os';
import { describeFmaPeak, FMA_PEAK_COMMAND, measureFmaPeak } from './lib/fma-peak.mjs';
import { DEFAULT_DATA_DIR, absPath, defaultPython, makeFail, parseArgs, posInt, rel, requireCifar, text } from './lib/options.mjs';
import { commandLine, requireGnuTime, runTimed } from './lib/process-run.mjs';
import { loadAtStart, machineFacts, machineLines, median, reproduceSection, thisCommand, writeResults } from './lib/report.mjs';

const NAME = 'convnet-side-by-side';
const OUT_BASE = 'convnet-speed';
const fail = makeFail(NAME);

const usage = () => `usage: node bench/convnet-side-by-side.mjs [options]
  --repeats R        run the pair R times (default 3)
  --threads T        threads for both (default 2): the peer's --threads, RAYON_NUM_THREADS for dlp
  --steps N          timed training steps per run (default 30)
  --warmup N         untimed steps first (default 5)
  --eval-images N    test images evaluated per run (default 2000)
  --eval-chunk N     images per forward pass in evaluation, both (default 250, as dlp's preset)
  --data-dir DIR     folder holding cifar-10-batches-bin/ (default ../shared/datasets)
  --python PATH      interpreter with torch (default $DLP_BENCH_PYTHON, else /usr/bin/python3)
  --pip-python PATH  a second interpreter with torch (PyTorch 2.x from pip; default $DLP_BENCH_PIP_PYTHON)
  --out-dir DIR      where ${OUT_BASE}.md and .jsonl go (default docs/results)
`;

const o = parseArgs(
  process.argv.slice(2),
  {
    repeats: 3, threads: 2, steps: 30, warmup: 5, evalImages: 2000, evalChunk: 250, dataDir: DEFAULT_DATA_DIR, python: defaultPython(),
    pipPython: process.env.DLP_BENCH_PIP_PYTHON ?? null, outDir: 'docs/results',
  },
  {
    '--repeats': ['repeats', posInt], '--threads': ['threads', posInt], '--steps': ['steps', posInt], '--warmup': ['warmup', posInt],
    '--eval-images': ['evalImages', posInt], '--eval-chunk': ['evalChunk', posInt], '--data-dir': ['dataDir', absPath],
    '--python': ['python', text], '--pip-python': ['pipPython', text], '--out-dir': ['outDir', text],
  },
  { fail, usage },
);
requireGnuTime(fail);
requireCifar(o.dataDir, fail);
if (o.pipPython && !fs.existsSync(o.pipPython)) fail(`--pip-python ${o.pipPython} does not exist`);

const T = String(o.threads);
const common = ['--steps', String(o.steps), '--warmup', String(o.warmup), '--eval-images', String(o.evalImages), '--eval-chunk', String(o.evalChunk), '--data-dir', o.dataDir];
const torchRun = (id, python) => ({ id, label: 'PyTorch', cmd: python, env: {}, args: ['bench/peers/convnet_torch.py', '--threads', T, ...common] });
const peers = [torchRun('torch', o.python), ...(o.pipPython ? [torchRun('torch_pip', o.pipPython)] : [])];
const plan = [{ id: 'dlp', label: 'dlp native', cmd: 'node', env: { RAYON_NUM_THREADS: T }, args: ['bench/peers/convnet_dlp.mjs', ...common] }, ...peers];

// Issue 17's targets: dlp at most this fraction of the faster PyTorch.
const TARGETS = { step: 0.6, eval: 0.4, rss: 0.7 };

const ms = (s) => `${(s * 1000).toFixed(0)} ms`;
const sec = (s) => `${s.toFixed(2)} s`;
const mib = (k) => `${(k / 1024).toFixed(0)} MiB`;
const stat = (xs) => ({ med: median(xs), min: Math.min(...xs), max: Math.max(...xs) });
const range = (st, f) => (o.repeats > 1 ? `${f(st.min)} – ${f(st.max)}` : '–');

async function main() {
  const facts = machineFacts();
  const loadStart = loadAtStart(NAME);
  const started = new Date();
  const fma = measureFmaPeak(o.threads);
  const raw = fma.lines.map((l) => JSON.stringify({ impl: 'fma_peak', ...JSON.parse(l) }));
  const runs = Object.fromEntries(plan.map((run) => [run.id, []]));
  const infos = {};
  for (let r = 1; r <= o.repeats; r++) {
    for (const run of plan) {
      const tag = `[${run.id} ${r}/${o.repeats}] `;
      let res;
      try {
        res = await runTimed(run, { tag, required: ['step_s_median', 'eval_s'] });
      } catch (e) {
        fail(`${e.message}\nnothing was written to ${rel(o.outDir)}`);
      }
      runs[run.id].push(res);
      if (res.info) infos[run.id] = res.info;
      for (const line of res.lines) raw.push(JSON.stringify({ impl: run.id, repeat: r, ...line }));
      raw.push(JSON.stringify({ impl: run.id, repeat: r, event: 'process', process_wall_s: res.processWall, max_rss_kib: res.maxRssKiB }));
      process.stderr.write(`${tag}step ${ms(res.done.step_s_median)}, ${o.evalImages} test images in ${sec(res.done.eval_s)}, peak RSS ${mib(res.maxRssKiB)}\n`);
    }
  }
  const loadEnd = os.loadavg();
  const finished = new Date();

  const version = (id) => (infos[id]?.torch ? `PyTorch ${infos[id].torch}` : `PyTorch (${id})`);
  // Per repeat, dlp over the faster PyTorch of that repeat (back-to-back runs); medians over repeats.
  const row = (what, f, fmt, target) => {
    const d = runs.dlp.map(f);
    const perPeer = peers.map((p) => runs[p.id].map(f));
    const fastest = d.map((_, i) => Math.min(...perPeer.map((xs) => xs[i])));
    const ratios = d.map((x, i) => x / fastest[i]);
    const [sd, sr] = [stat(d), stat(ratios)];
    const ratio = sd.med / Math.min(...perPeer.map((xs) => median(xs)));
    const met = target === undefined ? '' : ratio <= target ? 'yes' : '**no**';
    const cells = perPeer.map((xs) => fmt(median(xs)));
    return `| ${what} | ${fmt(sd.med)} | ${cells.join(' | ')} | **${ratio.toFixed(2)}** | ${target === undefined ? '' : `≤ ${target}`} | ${met} | ${range(sd, fmt)} | ${range(sr, (x) => x.toFixed(2))} |`;
  };
  const per1000 = (r) => (r.done.eval_s / r.done.eval_images) * 1000;
  const table = `| measure | dlp native | ${peers.map((p) => version(p.id)).join(' | ')} | dlp / faster PyTorch | target | met | dlp min – max | ratio min – max |
|---|---:|${peers.map(() => '---:|').join('')}---:|---|---|---:|---:|
${row('training step, batch 32 (median of the timed steps)', (r) => r.done.step_s_median, ms, TARGETS.step)}
${row('evaluating 1000 test images (eval mode, no tape)', per1000, sec, TARGETS.eval)}
${row('evaluating the 10 000 test images (from the above)', (r) => per1000(r) * 10, sec)}
${row('peak resident memory of the process', (r) => r.maxRssKiB, mib, TARGETS.rss)}
`;
  const command = thisCommand('bench/convnet-side-by-side.mjs');
  const torchLine = (p) => {
    const i = infos[p.id];
    return `- ${version(p.id)}: ${i ? `Python ${i.python}; oneDNN (mkldnn) ${i.mkldnn ? 'available' : 'not available'}; BLAS: ${i.blas}; torch threads ${i.torch_threads}` : 'no info reported'} (${p.cmd})`;
  };
  const md = `# The ConvNet: dlp vs PyTorch on CPU, speed

Generated by \`${command}\` (${started.toISOString()} – ${finished.toISOString()}).

The practical's pre-activation ResNet-style ConvNet (DESIGN.md, experiment 4: 3×32×32 CIFAR-10
images minus the training mean, Adam lr 1e-4, batch 32), trained by dlp's own \`convnet\` preset
([convnet_dlp.mjs](../../bench/peers/convnet_dlp.mjs)) and by the same model in PyTorch on CPU
([convnet_torch.py](../../bench/peers/convnet_torch.py)), at ${T} thread${T === '1' ? '' : 's'} each. Each run: ${o.warmup} untimed
training step(s), ${o.steps} timed one(s) (batches in file order), then ${o.evalImages} test images evaluated in chunks of
${o.evalChunk}, in eval mode without the tape. dlp ran, then each PyTorch, one at a time, never concurrently, ${o.repeats}
time(s). Figures are medians over the repeats; "dlp / faster PyTorch" divides dlp's median by the
faster PyTorch's, and "ratio min – max" is the range of that ratio within each repeat (back-to-back
runs). **A ratio below 1 means dlp is faster** (or smaller). Targets: issue 17's. Every raw line
is in [${OUT_BASE}.jsonl](${OUT_BASE}.jsonl).

**FMA peak** (f32, measured in this run by \`${FMA_PEAK_COMMAND}\`): ${describeFmaPeak(fma)} GFLOPS.

${table}
## Machine

${machineLines(facts, loadStart, loadEnd).join('\n')}
- dlp: commit ${facts.commit}; ${runs.dlp[0]?.done.backend ?? ''}; RAYON_NUM_THREADS=${T}
${peers.map(torchLine).join('\n')}

${reproduceSection(command, o.repeats, plan.map((run) => commandLine(run)))}`;
  writeResults(NAME, o.outDir, OUT_BASE, raw, md);
  process.stdout.write(table);
}

await main();
