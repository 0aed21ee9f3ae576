#!/usr/bin/env node
// Speed of two builds of dlp against each other ("before" and "after" a change, e.g. a rewrite
// of the binding layer), on the same machine, run alternately:
//
//   gemm       node <root>/packages/cli/dist/main.js bench gemm --backend native --json
//              (the CLI's default shapes; time per product from each shape's GFLOPS)
//   mlp1..6    node <root>/packages/cli/dist/main.js train --setup N --json --backend native
//              --steps S --eval-freq S   (seconds per training step = 1 / train_steps_per_s)
//   convnet    node <root>/bench/peers/convnet_dlp.mjs   (each root's own copy, which loads
//              that root's packages/core/dist: median training step at batch 32, evaluation time)
//   wasm1      train --setup 1 --backend wasm   (seconds per training step, 1 thread)
//
// Every run is a whole process, RAYON_NUM_THREADS=T (default 2), one at a time, never
// concurrently. For each repeat, for each workload, both builds run back to back; the order
// alternates from one repeat to the next (before→after, then after→before, ...), so an even
// --repeats balances it. Reported per workload: the median before, the median after, the ratio
// of the medians after / before and the min–max of the per-repeat ratios. Every ratio is a
// ratio of TIMES: > 1 means the after build is slower. Writes <out-dir>/binding-refactor-speed.md
// and <out-dir>/binding-refactor-speed.jsonl (every line printed, tagged with workload, build and
// repeat, plus a "process" line per run), atomically, and only when every run succeeded.
//
// Usage (paths relative to the repository root this script is in):
//   node bench/before-after.mjs --before DIR --after DIR [--repeats R] [--threads T]
//        [--workloads gemm,mlp1,mlp2,mlp3,mlp4,mlp5,mlp6,convnet,wasm1] [--quick] [--data-dir DIR] [--out-dir DIR]
// Both roots must be built (`pnpm build` in each). No dependencies beyond Node itself and GNU
// time (`apt-get install -y time`). Measure on a quiet machine.

import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_DATA_DIR, absPath, makeFail, parseArgs, posInt, rel, requireCifar } from './lib/options.mjs';
import { commandLine, quote, requireGnuTime, runTimed } from './lib/process-run.mjs';
import { loadAtStart, machineFacts, machineLines, median, thisCommand, writeResults } from './lib/report.mjs';

const NAME = 'before-after';
// Default name of the report's two files; --name gives another (one report per change).
const OUT_BASE = 'binding-refactor-speed';
const fail = makeFail(NAME);
const CLI = 'packages/cli/dist/main.js';
const CONVNET = 'bench/peers/convnet_dlp.mjs';

// --- workloads ----------------------------------------------------------------------------
// Step counts: full (each run a few seconds of training on 2 cores) and --quick (smoke tests).
const DEEP = '3072-1024-512-256-64-10';
const WORKLOADS = {
  gemm: { what: 'GEMM kernel alone, native, default shapes of `dlp bench gemm`', quickShapes: '200x3072x100,128x1024x512' },
  mlp1: { setup: '1', backend: 'native', steps: 1400, quickSteps: 20, what: '3072-100-10, no norm, ELU, SGD, batch 200' },
  mlp2: { setup: '2', backend: 'native', steps: 1000, quickSteps: 20, what: '3072-100-10, BatchNorm, ELU, SGD, batch 200' },
  mlp3: { setup: '3', backend: 'native', steps: 1000, quickSteps: 20, what: '3072-100-100-10, BatchNorm, ELU, SGD, batch 200' },
  mlp4: { setup: '4', backend: 'native', steps: 200, quickSteps: 10, what: '3072-1024-512-10, BatchNorm, ELU, SGD, batch 200' },
  mlp5: { setup: '5', backend: 'native', steps: 300, quickSteps: 10, what: `${DEEP}, BatchNorm, ELU, SGD, batch 128` },
  mlp6: { setup: '6', backend: 'native', steps: 300, quickSteps: 10, what: `${DEEP}, BatchNorm, ELU, Adam, batch 128` },
  convnet: {
    what: 'ConvNet preset, batch 32',
    full: { steps: 30, warmup: 5, evalImages: 2000, evalChunk: 250 },
    quick: { steps: 2, warmup: 1, evalImages: 250, evalChunk: 250 },
  },
  wasm1: { setup: '1', backend: 'wasm', steps: 300, quickSteps: 10, what: '3072-100-10, no norm, ELU, SGD, batch 200; wasm, 1 thread' },
};
const KNOWN = Object.keys(WORKLOADS).join(',');

const usage = () => `usage: node bench/before-after.mjs --before DIR --after DIR [options]
  --before DIR       root of the "before" build (a built checkout of dlp)
  --after DIR        root of the "after" build
  --repeats R        repeat the whole sequence R times (default 5; an even R balances the order)
  --threads T        RAYON_NUM_THREADS of every run (default 2)
  --workloads LIST   comma-separated subset of ${KNOWN} (default: all)
  --quick            shrink every workload to a second or two (smoke tests, not measurements)
  --data-dir DIR     folder holding cifar-10-batches-bin/ (default ../shared/datasets from this repository's root)
  --out-dir DIR      where the report's .md and .jsonl go (default docs/results)
  --name NAME        the report's file name, without extension (default ${OUT_BASE})
`;

function parseName(v, bad) {
  if (!/^[\w.-]+$/.test(v)) bad('wants a file name of letters, digits, ".", "_" and "-"');
  return v;
}

function parseWorkloads(v, bad) {
  const list = v.split(',').map((x) => x.trim()).filter(Boolean);
  if (!list.length) bad('wants a comma-separated list of workloads');
  for (const x of list) if (!Object.hasOwn(WORKLOADS, x)) bad(`names an unknown workload '${x}' (known: ${KNOWN})`);
  return Object.keys(WORKLOADS).filter((w) => list.includes(w));
}

const o = parseArgs(
  process.argv.slice(2),
  { before: null, after: null, repeats: 5, threads: 2, workloads: Object.keys(WORKLOADS), quick: false, dataDir: DEFAULT_DATA_DIR, outDir: 'docs/results', name: OUT_BASE },
  {
    '--before': ['before', absPath], '--after': ['after', absPath], '--repeats': ['repeats', posInt], '--threads': ['threads', posInt],
    '--workloads': ['workloads', parseWorkloads], '--quick': ['quick'], '--data-dir': ['dataDir', absPath], '--out-dir': ['outDir', (v) => v],
    '--name': ['name', parseName],
  },
  { fail, usage },
);

// --- preconditions ------------------------------------------------------------------------
if (!o.before || !o.after) fail(`both --before and --after are needed\n${usage()}`);
requireGnuTime(fail);
requireCifar(o.dataDir, fail);
if (process.env.NAPI_RS_NATIVE_LIBRARY_PATH) {
  fail('NAPI_RS_NATIVE_LIBRARY_PATH is set: both builds would load the same native addon; unset it');
}
const BUILDS = { before: o.before, after: o.after };
for (const [build, root] of Object.entries(BUILDS)) {
  if (!fs.existsSync(root)) fail(`the ${build} root ${root} does not exist`);
  const need = [CLI, 'packages/core/native', 'packages/core/dist/index.js'];
  if (o.workloads.includes('convnet')) need.push(CONVNET);
  if (o.workloads.includes('wasm1')) need.push('packages/core/wasm');
  const missing = need.filter((p) => !fs.existsSync(path.join(root, p)));
  if (missing.length) fail(`the ${build} root ${root} lacks ${missing.join(', ')}: run \`pnpm build\` there first`);
}

/** Commit and state of a root's work tree, from git. */
function gitState(root) {
  const git = (...args) => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    const commit = git('rev-parse', '--short', 'HEAD');
    const lines = git('status', '--porcelain').split('\n').filter(Boolean);
    const untracked = lines.filter((l) => l.startsWith('??')).length;
    const changed = lines.length - untracked;
    const dirty = lines.length > 0;
    return { commit, dirty, changed, untracked, text: `${commit}, ${dirty ? `dirty (${changed} changed, ${untracked} untracked file(s))` : 'clean'}` };
  } catch {
    return { commit: 'unknown', dirty: null, text: 'not a git work tree (commit unknown)' };
  }
}

/**
 * The newest source file of a root next to its oldest build output: a build older than its
 * sources (a refactor edited after the last `pnpm build`) measures the old code.
 */
function staleness(root) {
  const newest = { mtime: 0, file: null };
  const walk = (dir) => {
    let entries;
    try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      if (['node_modules', 'target', 'dist', 'native', 'wasm', 'test', 'tests', 'benches'].includes(e.name) && e.isDirectory()) continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(rs|ts|toml)$/.test(e.name) && !e.name.endsWith('.d.ts')) {
        const m = fs.statSync(p).mtimeMs;
        if (m > newest.mtime) Object.assign(newest, { mtime: m, file: p });
      }
    }
  };
  for (const d of ['crates', 'packages/core/src', 'packages/cli/src']) walk(path.join(root, d));
  const outputs = [CLI, 'packages/core/dist/index.js'];
  for (const d of ['packages/core/native']) {
    for (const f of fs.readdirSync(path.join(root, d))) if (f.endsWith('.node')) outputs.push(path.join(d, f));
  }
  const oldest = outputs.map((f) => ({ f, m: fs.statSync(path.join(root, f)).mtimeMs })).sort((a, b) => a.m - b.m)[0];
  return newest.file && newest.mtime > oldest.m
    ? `${path.relative(root, newest.file)} is newer than ${oldest.f}: the build may not be of these sources (run \`pnpm build\`)`
    : null;
}

// --- what to run --------------------------------------------------------------------------
const T = String(o.threads);
const env = { RAYON_NUM_THREADS: T };
const dataArgs = ['--data-dir', o.dataDir];

/** The run of `workload` on `build`, in process-run.mjs's form. */
function runOf(workload, build) {
  const root = BUILDS[build];
  const w = WORKLOADS[workload];
  const base = { id: build, key: `${workload}:${build}`, name: `${workload} ${build}`, tags: { workload, build }, env };
  const cli = path.join(root, CLI);
  if (workload === 'gemm') {
    const shapes = o.quick ? ['--shapes', w.quickShapes] : [];
    return { ...base, label: `${build}: bench gemm`, cmd: 'node', args: [cli, 'bench', 'gemm', '--backend', 'native', '--json', ...shapes] };
  }
  if (workload === 'convnet') {
    const c = o.quick ? w.quick : w.full;
    return {
      ...base, label: `${build}: convnet_dlp.mjs`, cmd: 'node', required: ['step_s_median', 'eval_s'],
      args: [path.join(root, CONVNET), '--steps', String(c.steps), '--warmup', String(c.warmup), '--eval-images', String(c.evalImages),
        '--eval-chunk', String(c.evalChunk), ...dataArgs],
    };
  }
  const steps = String(o.quick ? w.quickSteps : w.steps);
  return {
    ...base, label: `${build}: train --setup ${w.setup} --backend ${w.backend}`, cmd: 'node', outFlag: true,
    args: [cli, 'train', '--setup', w.setup, '--json', '--backend', w.backend, '--steps', steps, '--eval-freq', steps, ...dataArgs],
  };
}

/**
 * Runs `dlp bench gemm --json` (no done line, so not through runTimed): resolves to its
 * per-shape lines; rejects when the process fails or prints no shape.
 */
function runGemm(run, tag) {
  return new Promise((resolve, reject) => {
    const line = [...Object.entries(run.env).map(([k, v]) => `${k}=${v}`), run.cmd, ...run.args].map(quote).join(' ');
    process.stderr.write(`${tag}$ ${line}\n`);
    const t0 = process.hrtime.bigint();
    const child = spawn(run.cmd, run.args, { env: { ...process.env, ...run.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { out += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { err += d; });
    child.on('error', (e) => reject(new Error(`${run.label}: cannot start ${run.cmd} (${e.code ?? e.message})`)));
    child.on('close', (code, signal) => {
      const processWall = Number(process.hrtime.bigint() - t0) / 1e9;
      if (code !== 0) {
        reject(new Error(`${run.label} failed (${signal ? `signal ${signal}` : `exit code ${code}`}): ${line}${err.trim() ? `\n${err.trim().split('\n').slice(-3).join('\n')}` : ''}`));
        return;
      }
      const shapes = [];
      for (const l of out.split('\n')) {
        if (!l.trim()) continue;
        try {
          const x = JSON.parse(l);
          if (typeof x.gflops === 'number') shapes.push(x);
        } catch { process.stderr.write(`${tag}(ignored non-JSON stdout line) ${l}\n`); }
      }
      if (!shapes.length) reject(new Error(`${run.label} printed no {"m","k","n","gflops"} line: ${line}`));
      else resolve({ shapes, processWall });
    });
  });
}

const shapeKey = (s) => `${s.m}x${s.k}x${s.n}`;
const ms = (s) => {
  const v = s * 1000;
  return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ms`;
};
const sec = (s) => `${s.toFixed(2)} s`;
const mib = (k) => `${(k / 1024).toFixed(0)} MiB`;

/** The measures of one run: [{ measure, value (seconds, or KiB for memory), fmt, note? }]. */
function measuresOf(workload, res) {
  if (workload === 'gemm') {
    return res.shapes.map((s) => ({
      measure: `${s.m}×${s.k}×${s.n}, time per product`, key: shapeKey(s), value: (2 * s.m * s.k * s.n) / (s.gflops * 1e9), gflops: s.gflops, fmt: ms,
    }));
  }
  if (workload === 'convnet') {
    return [
      { measure: 'training step (median of the timed steps)', key: 'step', value: res.done.step_s_median, fmt: ms },
      { measure: `evaluating ${res.done.eval_images} test images`, key: 'eval', value: res.done.eval_s, fmt: sec },
      { measure: 'peak resident memory', key: 'rss', value: res.maxRssKiB, fmt: mib, memory: true },
    ];
  }
  return [
    { measure: `training step (${res.done.steps} steps)`, key: 'step', value: 1 / res.done.train_steps_per_s, fmt: ms },
    { measure: 'process wall time (start-up, data, 2 evaluations)', key: 'wall', value: res.processWall, fmt: sec },
    { measure: 'peak resident memory', key: 'rss', value: res.maxRssKiB, fmt: mib, memory: true },
  ];
}

// --- run ----------------------------------------------------------------------------------
async function main() {
  const facts = machineFacts();
  const git = { before: gitState(o.before), after: gitState(o.after) };
  const stale = { before: staleness(o.before), after: staleness(o.after) };
  for (const [b, s] of Object.entries(stale)) if (s) process.stderr.write(`${NAME}: warning: ${b} root: ${s}\n`);
  const same = fs.realpathSync(o.before) === fs.realpathSync(o.after);
  if (same) process.stderr.write(`${NAME}: note: --before and --after are the same folder: an A/A run, the ratios show the noise\n`);
  const loadStart = loadAtStart(NAME);
  const started = new Date();
  const raw = [];
  const results = new Map(); // `${workload}:${build}` -> [measures per repeat]
  const details = {};
  const commands = [];
  for (let r = 1; r <= o.repeats; r++) {
    const order = r % 2 ? ['before', 'after'] : ['after', 'before'];
    for (const workload of o.workloads) {
      for (const build of order) {
        const run = runOf(workload, build);
        const tag = `[${workload} ${build} ${r}/${o.repeats}] `;
        if (r === 1) commands.push(workload === 'gemm' ? [...Object.entries(env).map(([k, v]) => `${k}=${v}`), run.cmd, ...run.args].map(quote).join(' ') : commandLine(run));
        let res;
        try {
          res = workload === 'gemm' ? await runGemm(run, tag) : await runTimed(run, { tag, ...(run.required ? { required: run.required } : {}) });
        } catch (e) {
          fail(`${e.message}\nnothing was written to ${rel(o.outDir)}`);
        }
        const tags = { workload, build, repeat: r, position: order.indexOf(build) + 1 };
        if (workload === 'gemm') {
          for (const s of res.shapes) raw.push(JSON.stringify({ ...tags, event: 'gemm', ...s }));
          raw.push(JSON.stringify({ ...tags, event: 'process', process_wall_s: Number(res.processWall.toFixed(3)) }));
        } else {
          for (const line of res.lines) raw.push(JSON.stringify({ ...tags, ...line }));
          raw.push(JSON.stringify({ ...tags, event: 'process', process_wall_s: res.processWall, max_rss_kib: res.maxRssKiB, spawn_wall_s: Number(res.spawnWall.toFixed(3)) }));
          const detail = res.backendDetail ?? res.done.backend;
          if (detail) (details[build] ??= new Set()).add(detail);
        }
        if (workload === 'gemm') for (const s of res.shapes) (details[build] ??= new Set()).add(`gemm threads ${s.threads}`);
        const m = measuresOf(workload, res);
        if (!results.has(`${workload}:${build}`)) results.set(`${workload}:${build}`, []);
        results.get(`${workload}:${build}`).push(m);
        process.stderr.write(`${tag}${m.map((x) => `${x.measure}: ${x.fmt(x.value)}`).join('; ')}\n`);
      }
    }
  }
  const loadEnd = os.loadavg();
  const finished = new Date();

  // --- aggregate --------------------------------------------------------------------------
  const r2 = (x) => x.toFixed(3);
  const rows = { time: [], memory: [] };
  for (const workload of o.workloads) {
    const b = results.get(`${workload}:before`);
    const a = results.get(`${workload}:after`);
    for (const first of b[0]) {
      const pick = (runs) => runs.map((ms_) => ms_.find((x) => x.key === first.key)?.value);
      const bv = pick(b);
      const av = pick(a);
      if (bv.some((x) => x == null) || av.some((x) => x == null)) continue; // a shape one build lacks
      const ratios = av.map((x, i) => x / bv[i]);
      const [mb, ma] = [median(bv), median(av)];
      const cell = (v) => `${first.fmt(v)}${first.gflops != null ? ` (${(first.value * first.gflops / v).toFixed(1)} GFLOPS)` : ''}`;
      const range = o.repeats > 1 ? `${r2(Math.min(...ratios))} – ${r2(Math.max(...ratios))}` : '–';
      const row = `| ${workload} | ${first.measure} | ${cell(mb)} | ${cell(ma)} | **${r2(ma / mb)}** | ${range} |`;
      rows[first.memory ? 'memory' : 'time'].push(row);
    }
  }
  const head = '| workload | measure | before (median) | after (median) | after / before | per-repeat ratio min – max |\n|---|---|---:|---:|---:|---:|';
  const tables = `## Time (ratio > 1: the after build is slower)

${head}
${rows.time.join('\n')}
${rows.memory.length ? `
## Peak resident memory (ratio > 1: the after build uses more)

${head}
${rows.memory.join('\n')}
` : ''}`;

  const command = thisCommand('bench/before-after.mjs');
  const workloadLines = o.workloads.map((w) => {
    const x = WORKLOADS[w];
    if (w === 'gemm') return `- \`gemm\`: ${x.what}${o.quick ? ` (--quick: shapes ${x.quickShapes})` : ''}; time per product = 2·M·K·N / GFLOPS, the CLI's median after a warm-up`;
    if (w === 'convnet') {
      const c = o.quick ? x.quick : x.full;
      return `- \`convnet\`: ${x.what}, ${c.warmup} untimed then ${c.steps} timed training steps (median reported), then ${c.evalImages} test images in chunks of ${c.evalChunk} (eval mode, no tape), via each root's own \`${CONVNET}\``;
    }
    return `- \`${w}\`: \`train --setup ${x.setup} --backend ${x.backend}\` (${x.what}), ${o.quick ? x.quickSteps : x.steps} steps, evaluations after step 1 and the last only; step time = 1 / \`train_steps_per_s\` (evaluations excluded)`;
  });
  const buildLine = (b) => `- ${b}: \`${BUILDS[b]}\`, commit ${git[b].text}${details[b] ? `; ${[...details[b]].join('; ')}` : ''}${stale[b] ? `; **warning**: ${stale[b]}` : ''}`;
  const md = `# Two builds of dlp, before and after: speed

Generated by \`${command}\` (${started.toISOString()} – ${finished.toISOString()}).${o.quick ? '\n\n**--quick: a smoke test with tiny step counts, not a measurement.**' : ''}${same ? '\n\n**Both roots are the same folder: an A/A run; the ratios show the noise of this machine.**' : ''}

Two builds of dlp on the same machine: for each of ${o.repeats} repeat(s), for each workload, the
"before" build and the "after" build ran back to back, each as its own process with
RAYON_NUM_THREADS=${T}, one at a time, never concurrently; the order alternated from one repeat
to the next (before first in odd repeats, after first in even ones). Figures are medians over
the repeats; "after / before" is the ratio of the two medians and "per-repeat ratio min – max"
the range of the ratios of the pairs that ran back to back. **Every ratio is one of times (or
memory): below 1 the after build is faster, above 1 slower.** Every raw line is in
[${o.name}.jsonl](${o.name}.jsonl).

${workloadLines.join('\n')}

${tables}
## Builds

${buildLine('before')}
${buildLine('after')}

## Machine

${machineLines(facts, loadStart, loadEnd).join('\n')}
- data: ${o.dataDir}

## Reproduce

Build both roots (\`CI=true pnpm install --frozen-lockfile && pnpm build\` in each), then, on a quiet
machine:

\`\`\`sh
${command}
\`\`\`

which ran, in this order (the two builds swapped in even repeats), ${o.repeats} time(s) (\`<tmp>\`: a
fresh temporary folder, deleted afterwards):

\`\`\`sh
${commands.join('\n')}
\`\`\`
`;
  writeResults(NAME, o.outDir, o.name, raw, md);
  process.stdout.write(tables);
}

await main();
