#!/usr/bin/env node
// Side-by-side, whole runs: the course's manual MLP ("NumPy part", `dlp train --setup numpy`)
// in dlp against the same experiment in NumPy and in PyTorch on CPU, on the same machine.
//
//   dlp native   node packages/cli/dist/main.js train --setup numpy --json --backend native
//   NumPy        bench/peers/mlp_numpy.py   (float32, OpenBLAS, T threads)
//   PyTorch      bench/peers/mlp_torch.py   (float32, CPU, T threads)
//
// Each run is a whole process (data loading, 1400 steps, 15 evaluations on the test set) under
// `/usr/bin/time -v`, which gives its wall time and peak resident memory. The three run ONE AT
// A TIME, never concurrently, in that order; the whole sequence is repeated R times (--repeats,
// default 3) and the report gives the median over the repeats. Writes docs/results/numpy-mlp.md
// (tables, ratios dlp/peer, machine facts, commands) and docs/results/numpy-mlp.jsonl (every
// JSON line the runs printed, tagged with implementation and repeat, plus one "process" line per
// run), each atomically.
//
// Usage (from anywhere; paths are relative to the repository root):
//   pnpm build                                       # the dlp CLI and its native backend
//   node bench/mlp-side-by-side.mjs [--repeats R] [--threads T] [--steps N] [--data-dir DIR]
//        [--skip-numpy] [--skip-torch] [--skip-dlp] [--python PATH] [--dlp-cli PATH] [--out-dir DIR]
// Only relies on the `dlp train --json` contract (eval lines, then a done line). No dependencies
// beyond Node itself and GNU time (`apt-get install -y time`). Measure on a quiet machine.

import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TIME = '/usr/bin/time';

function fail(msg, code = 2) {
  process.stderr.write(`mlp-side-by-side: ${msg}\n`);
  process.exit(code);
}

function usage() {
  return `usage: node bench/mlp-side-by-side.mjs [options]
  --repeats R        run the whole sequence R times, report medians (default 3)
  --threads T        threads for all three (default 2): peers' --threads, RAYON_NUM_THREADS for dlp
  --steps N          training steps, passed to all three (default: the experiment's 1400; for smoke tests)
  --data-dir DIR     folder holding cifar-10-batches-bin/ (default: ../shared/datasets from the repository root)
  --skip-numpy       leave the NumPy peer out
  --skip-torch       leave the PyTorch peer out
  --skip-dlp         leave dlp out (to try the peers alone; no ratios)
  --python PATH      interpreter with numpy and torch (default: $DLP_BENCH_PYTHON, else /usr/bin/python3)
  --dlp-cli PATH     the dlp CLI entry (default: packages/cli/dist/main.js)
  --out-dir DIR      where numpy-mlp.md and numpy-mlp.jsonl go (default: docs/results)
`;
}

function parseArgs(argv) {
  const o = {
    repeats: 3,
    threads: 2,
    steps: null,
    dataDir: path.resolve(ROOT, '..', 'shared', 'datasets'),
    skipNumpy: false,
    skipTorch: false,
    skipDlp: false,
    python: process.env.DLP_BENCH_PYTHON || (fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3'),
    dlpCli: 'packages/cli/dist/main.js',
    outDir: 'docs/results',
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) fail(`${a} needs a value`);
      return argv[++i];
    };
    const posInt = (v) => {
      const x = Number(v);
      if (!Number.isInteger(x) || x < 1) fail(`${a} wants a positive integer, got ${v}`);
      return x;
    };
    if (a === '--repeats') o.repeats = posInt(val());
    else if (a === '--threads') o.threads = posInt(val());
    else if (a === '--steps') o.steps = posInt(val());
    else if (a === '--data-dir') o.dataDir = path.resolve(val());
    else if (a === '--skip-numpy') o.skipNumpy = true;
    else if (a === '--skip-torch') o.skipTorch = true;
    else if (a === '--skip-dlp') o.skipDlp = true;
    else if (a === '--python') o.python = val();
    else if (a === '--dlp-cli') o.dlpCli = val();
    else if (a === '--out-dir') o.outDir = val();
    else if (a === '--help' || a === '-h') { process.stdout.write(usage()); process.exit(0); }
    else fail(`unknown option ${a}\n${usage()}`);
  }
  return o;
}

const opts = parseArgs(process.argv.slice(2));
const rel = (p) => {
  const r = path.relative(ROOT, path.resolve(ROOT, p));
  return r.startsWith('..') ? path.resolve(ROOT, p) : r || '.';
};

// --- preconditions ------------------------------------------------------------------------
if (!fs.existsSync(TIME)) {
  fail(`${TIME} (GNU time, for peak memory) is missing: install it with \`apt-get install -y time\``);
}
const dlpCliAbs = path.resolve(ROOT, opts.dlpCli);
if (!opts.skipDlp && !fs.existsSync(dlpCliAbs)) {
  fail(`the dlp CLI is not built (${rel(opts.dlpCli)} is missing): run \`pnpm build\` in ${ROOT} first (or pass --skip-dlp)`);
}
if (opts.skipDlp && opts.skipNumpy && opts.skipTorch) fail('nothing to run: every implementation is skipped');
if (!['cifar-10-batches-bin/test_batch.bin', 'test_batch.bin'].some((f) => fs.existsSync(path.join(opts.dataDir, f)))) {
  fail(`no CIFAR-10 in ${opts.dataDir} (expected ${path.join(opts.dataDir, 'cifar-10-batches-bin', 'test_batch.bin')}); pass --data-dir`);
}

// --- what to run --------------------------------------------------------------------------
const T = String(opts.threads);
const stepsArgs = opts.steps ? ['--steps', String(opts.steps)] : [];
const dataArgs = ['--data-dir', opts.dataDir];
const impls = [
  !opts.skipDlp && {
    id: 'dlp',
    label: 'dlp native',
    cmd: 'node',
    // dlp train has no --threads flag: the native kernels use rayon's global pool, which
    // RAYON_NUM_THREADS sizes. --out is filled in per run (a temporary folder).
    env: { RAYON_NUM_THREADS: T },
    args: [rel(opts.dlpCli), 'train', '--setup', 'numpy', '--json', '--backend', 'native', ...stepsArgs, ...dataArgs],
    outFlag: true,
  },
  !opts.skipNumpy && {
    id: 'numpy',
    label: 'NumPy',
    cmd: opts.python,
    env: {},
    args: ['bench/peers/mlp_numpy.py', '--threads', T, ...stepsArgs, ...dataArgs],
  },
  !opts.skipTorch && {
    id: 'torch',
    label: 'PyTorch',
    cmd: opts.python,
    env: {},
    args: ['bench/peers/mlp_torch.py', '--threads', T, ...stepsArgs, ...dataArgs],
  },
].filter(Boolean);
const quote = (x) => (/[^\w./=:,+-]/.test(x) ? `'${x.replaceAll("'", "'\\''")}'` : x);
const commandLine = (impl, out = '<tmp>') => {
  const env = Object.entries(impl.env).map(([k, v]) => `${k}=${v}`);
  const args = impl.outFlag ? [...impl.args, '--out', out] : impl.args;
  return [...env, TIME, '-v', impl.cmd, ...args].map((x) => (x === '<tmp>' ? x : quote(x))).join(' ');
};

// --- run one, sequentially ----------------------------------------------------------------
/** Parses GNU time -v's report: peak RSS (KiB), elapsed wall time (s), exit status. */
function parseTimeReport(text) {
  const rss = text.match(/Maximum resident set size \(kbytes\):\s*(\d+)/);
  const el = text.match(/Elapsed \(wall clock\) time \(h:mm:ss or m:ss\):\s*([\d:.]+)/);
  let wall = null;
  if (el) wall = el[1].split(':').map(Number).reduce((acc, x) => acc * 60 + x, 0);
  return { maxRssKiB: rss ? Number(rss[1]) : null, processWall: wall };
}

function runOnce(impl, repeat) {
  return new Promise((resolve, reject) => {
    const tag = `[${impl.id} ${repeat}/${opts.repeats}] `;
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `dlp-mlp-bench-${impl.id}-`));
    const timeFile = path.join(tmp, 'time.txt');
    const runOut = path.join(tmp, 'run');
    const args = ['-v', '-o', timeFile, impl.cmd, ...(impl.outFlag ? [...impl.args, '--out', runOut] : impl.args)];
    process.stderr.write(`${tag}$ ${commandLine(impl, runOut)}\n`);
    const cleanup = () => fs.rmSync(tmp, { recursive: true, force: true });
    const t0 = process.hrtime.bigint();
    const child = spawn(TIME, args, { cwd: ROOT, env: { ...process.env, ...impl.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let errLine = '';
    const show = (l) => {
      // Progress bars redraw with \r: show only the last state of a line; hide peer-info.
      const last = l.split('\r').filter((s) => s.trim()).pop();
      if (last && !last.startsWith('peer-info ')) process.stderr.write(tag + last + '\n');
    };
    child.stdout.setEncoding('utf8').on('data', (d) => { out += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => {
      err += d;
      errLine += d;
      const lines = errLine.split('\n');
      errLine = lines.pop();
      lines.forEach(show);
    });
    child.on('error', (e) => { cleanup(); reject(new Error(`${impl.label}: cannot start ${TIME} (${e.code ?? e.message})`)); });
    child.on('close', (code, signal) => {
      const spawnWall = Number(process.hrtime.bigint() - t0) / 1e9;
      if (errLine) show(errLine);
      let timeText = '';
      try { timeText = fs.readFileSync(timeFile, 'utf8'); } catch { /* reported below */ }
      let backendDetail = null;
      try { backendDetail = JSON.parse(fs.readFileSync(path.join(runOut, 'config.json'), 'utf8')).backend_detail ?? null; } catch { /* optional */ }
      cleanup();
      if (code !== 0) {
        const exit = timeText.match(/Exit status:\s*(\d+)/)?.[1];
        reject(new Error(`${impl.label} failed (${signal ? `signal ${signal}` : `exit code ${exit ?? code}`}): ${commandLine(impl)}`));
        return;
      }
      const lines = [];
      let done = null;
      for (const line of out.split('\n')) {
        const t = line.trim();
        if (!t) continue;
        let obj;
        try { obj = JSON.parse(t); } catch { process.stderr.write(`${tag}(ignored non-JSON stdout line) ${t}\n`); continue; }
        if (obj.event === 'eval' || obj.event === 'done') lines.push(obj);
        if (obj.event === 'done') done = obj;
      }
      const bad = done && ['test_accuracy', 'wall_s', 'train_steps_per_s'].filter((f) => typeof done[f] !== 'number');
      if (!done || bad.length) {
        reject(new Error(`${impl.label} printed no valid {"event":"done",…} line${bad?.length ? ` (missing ${bad.join(', ')})` : ''}: ${commandLine(impl)}`));
        return;
      }
      const tr = parseTimeReport(timeText);
      if (tr.processWall == null || tr.maxRssKiB == null) {
        reject(new Error(`${impl.label}: could not read ${TIME}'s report (${timeText.slice(0, 200) || 'empty'})`));
        return;
      }
      const infoLine = err.split('\n').reverse().find((l) => l.startsWith('peer-info '));
      let info = null;
      if (infoLine) { try { info = JSON.parse(infoLine.slice('peer-info '.length)); } catch { /* keep null */ } }
      resolve({ lines, done, info, backendDetail, processWall: tr.processWall, maxRssKiB: tr.maxRssKiB, spawnWall });
    });
  });
}

// --- machine facts ------------------------------------------------------------------------
function machineFacts() {
  const f = { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.availableParallelism(), flags: [] };
  try {
    const info = fs.readFileSync('/proc/cpuinfo', 'utf8');
    const first = info.split('\n\n')[0];
    const field = (name) => first.match(new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm'))?.[1]?.trim();
    f.cpu = field('model name') ?? f.cpu;
    f.vendor = field('vendor_id');
    f.family = field('cpu family');
    f.model = field('model');
    f.mhz = field('cpu MHz');
    const flags = new Set((field('flags') ?? '').split(/\s+/));
    f.flags = ['avx2', 'fma', 'avx512f', 'avx512bw', 'avx512vl', 'avx512_vnni', 'avx512_bf16'].filter((x) => flags.has(x));
    f.hypervisor = flags.has('hypervisor');
  } catch { /* not Linux */ }
  f.memGiB = (os.totalmem() / 2 ** 30).toFixed(1);
  f.os = `${os.type()} ${os.release()} ${os.arch()}`;
  f.node = process.version;
  try {
    f.commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (dirty) f.commit += ' (with uncommitted changes)';
  } catch { f.commit = 'unknown'; }
  try {
    f.time = execFileSync(TIME, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split('\n')[0].trim().replace(' UNKNOWN', '');
  } catch { f.time = 'GNU time (version unknown)'; }
  return f;
}

// --- aggregate and write ------------------------------------------------------------------
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};
const spread = (xs) => (xs.length > 1 ? `${(((Math.max(...xs) - Math.min(...xs)) / median(xs)) * 100).toFixed(0)}%` : '–');
const secs = (x) => (x == null ? '–' : `${x.toFixed(2)} s`);

function writeAtomic(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

function summarize(runs) {
  const pick = (f) => runs.map(f).filter((x) => typeof x === 'number');
  const m = (f) => { const xs = pick(f); return xs.length ? median(xs) : null; };
  return {
    processWall: m((r) => r.processWall),
    processWallSpread: spread(pick((r) => r.processWall)),
    wall: m((r) => r.done.wall_s),
    load: m((r) => r.done.load_s),
    stepsPerS: m((r) => r.done.train_steps_per_s),
    accuracies: runs.map((r) => r.done.test_accuracy),
    testLoss: m((r) => r.done.test_loss),
    maxRssMiB: m((r) => r.maxRssKiB / 1024),
    peakRssMiB: Math.max(...runs.map((r) => r.maxRssKiB / 1024)),
  };
}

async function main() {
  const facts = machineFacts();
  const loadStart = os.loadavg();
  if (loadStart[0] > 0.5) {
    process.stderr.write(`mlp-side-by-side: note: 1-minute load average is ${loadStart[0].toFixed(2)}; figures will be noisy unless the machine is quiet\n`);
  }
  const started = new Date();
  const raw = [];
  const byImpl = new Map(impls.map((i) => [i.id, []]));
  const infos = {};
  for (let r = 1; r <= opts.repeats; r++) {
    for (const impl of impls) {
      let res;
      try {
        res = await runOnce(impl, r);
      } catch (e) {
        fail(`${e.message}\nnothing was written to ${rel(opts.outDir)}`);
      }
      byImpl.get(impl.id).push(res);
      if (res.info) infos[impl.id] = res.info;
      if (res.backendDetail) infos[impl.id] = { ...(infos[impl.id] ?? {}), backend_detail: res.backendDetail };
      for (const obj of res.lines) raw.push(JSON.stringify({ impl: impl.id, repeat: r, ...obj }));
      raw.push(JSON.stringify({
        impl: impl.id, repeat: r, event: 'process', process_wall_s: res.processWall, max_rss_kib: res.maxRssKiB,
        spawn_wall_s: Number(res.spawnWall.toFixed(3)),
      }));
      process.stderr.write(`[${impl.id} ${r}/${opts.repeats}] process ${res.processWall.toFixed(2)} s, in-run ${res.done.wall_s.toFixed(2)} s, ` +
        `${res.done.train_steps_per_s.toFixed(0)} steps/s, test accuracy ${res.done.test_accuracy}, peak RSS ${(res.maxRssKiB / 1024).toFixed(0)} MiB\n`);
    }
  }
  const loadEnd = os.loadavg();
  const finished = new Date();

  const S = Object.fromEntries(impls.map((i) => [i.id, summarize(byImpl.get(i.id))]));
  const steps = byImpl.get(impls[0].id)[0].done.steps;
  const accText = (xs) => {
    const distinct = [...new Set(xs.map((x) => x.toFixed(4)))];
    return distinct.length === 1 ? distinct[0] : `${median(xs).toFixed(4)} (${xs.map((x) => x.toFixed(4)).join(', ')})`;
  };
  const rows = impls.map((i) => {
    const s = S[i.id];
    return `| ${i.label} | ${secs(s.processWall)} | ${s.processWallSpread} | ${secs(s.wall)} | ${secs(s.load)} | ${s.stepsPerS.toFixed(0)} | ${accText(s.accuracies)} | ${s.testLoss.toFixed(4)} | ${s.maxRssMiB.toFixed(0)} MiB |`;
  });
  const ratioRows = [];
  if (S.dlp) {
    for (const [id, name] of [['torch', 'PyTorch'], ['numpy', 'NumPy']]) {
      const p = S[id];
      if (!p) { ratioRows.push(`| dlp / ${name} | skipped | | | |`); continue; }
      const r = (a, b) => (a != null && b ? (a / b).toFixed(2) : '–');
      ratioRows.push(`| dlp / ${name} | ${r(S.dlp.processWall, p.processWall)} | ${r(S.dlp.wall, p.wall)} | ${r(S.dlp.stepsPerS, p.stepsPerS)} | ${r(S.dlp.maxRssMiB, p.maxRssMiB)} |`);
    }
  }
  const torch = infos.torch;
  const numpy = infos.numpy;
  const thisCommand = ['node', 'bench/mlp-side-by-side.mjs', ...process.argv.slice(2)].map(quote).join(' ');
  const md = `# Manual MLP ("NumPy part"): dlp vs NumPy and PyTorch, whole runs

Generated by \`${thisCommand}\` (${started.toISOString()} – ${finished.toISOString()}).

The experiment: CIFAR-10 minus the training mean image, MLP 3072 → 100 → 10 (Linear with
N(0, 1e-4²) weights, ELU, Linear, SoftMax), cross-entropy, hand-written backward, plain SGD
lr 1e-3, batch 200, ${steps} steps${steps === 1400 ? '' : ' (a shortened run: the experiment is 1400)'}, seed 42, evaluation on the full 10 000-image test
set after the first step, every 100 steps and after the last. Each run is a whole process
under \`/usr/bin/time -v\`; the implementations ran one at a time, never concurrently, and the
whole sequence ran ${opts.repeats} time(s): every figure is the median over those repeats.
Every raw line is in [numpy-mlp.jsonl](numpy-mlp.jsonl).

- *process wall*: the whole process, start-up (Node / Python and \`import torch\`) included;
- *in-run wall*: the run's own \`wall_s\`, from before reading the data to the end of the last
  evaluation (start-up excluded); *loading* is reading + preprocessing the data (the peers'
  \`load_s\`; dlp does not report it);
- *train steps/s*: steps / time in training steps (batching included, evaluations excluded);
- *spread*: (max − min) / median of the process wall time over the repeats: a large spread
  means a noisy machine;
- *peak RSS*: GNU time's "Maximum resident set size", median over the repeats.

## Results (${T} thread${T === '1' ? '' : 's'})

| implementation | process wall | spread | in-run wall | loading | train steps/s | final test accuracy | final test loss | peak RSS |
|---|---:|---:|---:|---:|---:|---:|---:|---:|
${rows.join('\n')}

${S.dlp ? `## Ratios

Time ratios < 1 and steps/s ratios > 1 mean dlp is faster.

| | process wall time | in-run wall time | train steps/s | peak RSS |
|---|---:|---:|---:|---:|
${ratioRows.join('\n')}
` : '(dlp was skipped: no ratios.)\n'}
## Machine

- CPU: ${facts.cpu}${facts.vendor ? ` (${facts.vendor}, family ${facts.family}, model ${facts.model}, ${facts.mhz} MHz reported)` : ''}${facts.hypervisor ? ', virtual machine' : ''}
- cores: ${facts.cores}; SIMD flags: ${facts.flags.join(', ') || 'unknown'}${facts.flags.length && !facts.flags.includes('avx512f') ? ' (no AVX-512)' : ''}
- memory: ${facts.memGiB} GiB; ${facts.os}; Node ${facts.node}; ${facts.time}
- load average (1/5/15 min) at start: ${loadStart.map((x) => x.toFixed(2)).join(' / ')}; at end: ${loadEnd.map((x) => x.toFixed(2)).join(' / ')}
- dlp: commit ${facts.commit}${infos.dlp?.backend_detail ? `; ${infos.dlp.backend_detail}` : ''}${S.dlp ? `; RAYON_NUM_THREADS=${T}` : '; skipped'}
- NumPy: ${numpy ? `numpy ${numpy.numpy}, Python ${numpy.python}; BLAS: ${numpy.blas}` : 'skipped'}
- PyTorch: ${torch ? `${torch.torch}, Python ${torch.python}; BLAS: ${torch.blas}; torch threads ${torch.torch_threads}; formulation: ${torch.formulation}` : 'skipped'}
- data: ${opts.dataDir}

## Reproduce

From the repository root, on a quiet machine:

\`\`\`sh
pnpm install && pnpm build
${thisCommand}
\`\`\`

which ran, in this order, ${opts.repeats} time(s) (\`<tmp>\`: a fresh temporary folder, deleted afterwards):

\`\`\`sh
${impls.map((i) => commandLine(i)).join('\n')}
\`\`\`
`;
  const outDir = path.resolve(ROOT, opts.outDir);
  writeAtomic(path.join(outDir, 'numpy-mlp.jsonl'), raw.join('\n') + '\n');
  writeAtomic(path.join(outDir, 'numpy-mlp.md'), md);
  process.stderr.write(`mlp-side-by-side: wrote ${rel(path.join(outDir, 'numpy-mlp.md'))} and ${rel(path.join(outDir, 'numpy-mlp.jsonl'))}\n`);
  process.stdout.write(md);
}

await main();
