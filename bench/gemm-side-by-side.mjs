#!/usr/bin/env node
// Side-by-side float32 GEMM: dlp against its peers, on the same machine, in one run.
//
//   dlp native (T threads)  vs  PyTorch torch.mm (T threads, OpenBLAS)
//   dlp wasm   (1 thread)   vs  TensorFlow.js 4.22 wasm backend (SIMD, 1 thread)
//
// The four benchmarks run ONE AT A TIME, never concurrently, in that order; the whole sequence
// is repeated R times (--repeats, default 3) and each figure reported is the median over the
// repeats of the per-run figure (itself a median of timed runs after a warm-up). Writes
// docs/results/gemm.md (tables, ratios dlp/peer, machine facts, commands) and
// docs/results/gemm.jsonl (every JSON line received, with its repeat number), each atomically.
//
// Usage (from anywhere; paths are relative to the repository root):
//   pnpm build                                          # the dlp CLI and its backends
//   (cd bench/peers/tfjs && npm install --no-package-lock)
//   node bench/gemm-side-by-side.mjs [--threads T] [--repeats R] [--skip-torch] [--skip-tfjs]
//        [--peer-budget S] [--python PATH] [--dlp-cli PATH] [--out-dir DIR]
// No dependencies beyond Node itself. Measure on a quiet machine: on 2 cores any other process
// shows up directly in the figures.

import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CONTRACT_SHAPES = ['200x3072x100', '128x3072x1024', '128x1024x512', '1024x1024x1024', '32768x576x64'];

function fail(msg, code = 2) {
  process.stderr.write(`gemm-side-by-side: ${msg}\n`);
  process.exit(code);
}

function usage() {
  return `usage: node bench/gemm-side-by-side.mjs [options]
  --threads T        threads for dlp native and torch (default: ${os.availableParallelism()} = this machine's cores)
  --repeats R        run the whole sequence R times, report the median per shape (default 3)
  --skip-torch       leave PyTorch out
  --skip-tfjs        leave TensorFlow.js out
  --peer-budget S    seconds of timed runs per shape for the peers (their default: 1)
  --python PATH      interpreter with torch (default: $DLP_BENCH_PYTHON, else /usr/bin/python3)
  --dlp-cli PATH     the dlp CLI entry (default: packages/cli/dist/main.js)
  --out-dir DIR      where gemm.md and gemm.jsonl go (default: docs/results)
`;
}

function parseArgs(argv) {
  const o = {
    threads: os.availableParallelism(),
    repeats: 3,
    skipTorch: false,
    skipTfjs: false,
    peerBudget: null,
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
    if (a === '--threads') o.threads = posInt(val());
    else if (a === '--repeats') o.repeats = posInt(val());
    else if (a === '--skip-torch') o.skipTorch = true;
    else if (a === '--skip-tfjs') o.skipTfjs = true;
    else if (a === '--peer-budget') {
      const v = val();
      o.peerBudget = Number(v);
      if (!(o.peerBudget > 0)) fail(`--peer-budget wants a positive number of seconds, got ${v}`);
      o.peerBudget = v;
    } else if (a === '--python') o.python = val();
    else if (a === '--dlp-cli') o.dlpCli = val();
    else if (a === '--out-dir') o.outDir = val();
    else if (a === '--help' || a === '-h') { process.stdout.write(usage()); process.exit(0); }
    else fail(`unknown option ${a}\n${usage()}`);
  }
  return o;
}

const opts = parseArgs(process.argv.slice(2));
const rel = (p) => path.relative(ROOT, path.resolve(ROOT, p)) || '.';

// --- what to run ---------------------------------------------------------------------------
const dlpCliAbs = path.resolve(ROOT, opts.dlpCli);
if (!fs.existsSync(dlpCliAbs)) {
  fail(`the dlp CLI is not built (${rel(opts.dlpCli)} is missing): run \`pnpm build\` in ${ROOT} first`);
}
const tfjsDir = path.join(ROOT, 'bench/peers/tfjs');
if (!opts.skipTfjs && !fs.existsSync(path.join(tfjsDir, 'node_modules/@tensorflow/tfjs-backend-wasm'))) {
  fail('TensorFlow.js is not installed: run `cd bench/peers/tfjs && npm install --no-package-lock` (or pass --skip-tfjs)');
}
const peerBudget = opts.peerBudget ? ['--budget', opts.peerBudget] : [];
const T = String(opts.threads);
const steps = [
  { id: 'dlp-native', label: `dlp native`, cmd: 'node', args: [rel(opts.dlpCli), 'bench', 'gemm', '--backend', 'native', '--threads', T, '--json'] },
  !opts.skipTorch && { id: 'torch', label: 'PyTorch torch.mm', cmd: opts.python, args: ['bench/peers/torch_gemm.py', '--threads', T, ...peerBudget] },
  { id: 'dlp-wasm', label: 'dlp wasm', cmd: 'node', args: [rel(opts.dlpCli), 'bench', 'gemm', '--backend', 'wasm', '--threads', '1', '--json'] },
  !opts.skipTfjs && { id: 'tfjs-wasm', label: 'TF.js wasm', cmd: 'node', args: ['bench/peers/tfjs/tfjs_gemm.mjs', ...peerBudget] },
].filter(Boolean);
const commandLine = (s) => [s.cmd, ...s.args].map((x) => (/[^\w./=:-]/.test(x) ? `'${x}'` : x)).join(' ');

// --- run one step, sequentially ------------------------------------------------------------
function runStep(step, repeat) {
  return new Promise((resolve, reject) => {
    const tag = `[${step.id} ${repeat}/${opts.repeats}] `;
    process.stderr.write(`${tag}$ ${commandLine(step)}\n`);
    const child = spawn(step.cmd, step.args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let errLine = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { out += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => {
      err += d;
      errLine += d;
      const lines = errLine.split('\n');
      errLine = lines.pop();
      for (const l of lines) if (!l.startsWith('peer-info ')) process.stderr.write(tag + l + '\n');
    });
    child.on('error', (e) => reject(new Error(`${step.label}: cannot start \`${step.cmd}\` (${e.code ?? e.message})`)));
    child.on('close', (code, signal) => {
      if (errLine && !errLine.startsWith('peer-info ')) process.stderr.write(tag + errLine + '\n');
      if (code !== 0) {
        reject(new Error(`${step.label} failed (${signal ? `signal ${signal}` : `exit code ${code}`}): ${commandLine(step)}`));
        return;
      }
      const results = [];
      for (const line of out.split('\n')) {
        const t = line.trim();
        if (!t) continue;
        let obj;
        try { obj = JSON.parse(t); } catch { process.stderr.write(`${tag}(ignored non-JSON stdout line) ${t}\n`); continue; }
        if (!['m', 'k', 'n', 'gflops'].every((f) => typeof obj[f] === 'number')) {
          process.stderr.write(`${tag}(ignored JSON line without m/k/n/gflops) ${t}\n`);
          continue;
        }
        results.push(obj);
      }
      if (!results.length) { reject(new Error(`${step.label} printed no result lines: ${commandLine(step)}`)); return; }
      const infoLine = err.split('\n').reverse().find((l) => l.startsWith('peer-info '));
      let info = null;
      if (infoLine) { try { info = JSON.parse(infoLine.slice('peer-info '.length)); } catch { /* keep null */ } }
      resolve({ results, info });
    });
  });
}

// --- machine facts -------------------------------------------------------------------------
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
    f.processors = (info.match(/^processor\s*:/gm) ?? []).length;
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
  return f;
}

// --- aggregate and write -------------------------------------------------------------------
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};
const shapeKey = (r) => `${r.m}x${r.k}x${r.n}`;
const fmt = (x) => (x == null ? '–' : x >= 100 ? x.toFixed(0) : x.toFixed(1));
const spread = (xs) => (xs && xs.length > 1 ? `${(((Math.max(...xs) - Math.min(...xs)) / median(xs)) * 100).toFixed(0)}%` : '–');

function writeAtomic(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

function table(byStep, dlpId, peerId, dlpName, peerName) {
  const dlp = byStep.get(dlpId) ?? new Map();
  const peer = byStep.get(peerId);
  const keys = [...new Set([...CONTRACT_SHAPES.filter((k) => dlp.has(k) || peer?.has(k)), ...dlp.keys(), ...(peer?.keys() ?? [])])];
  const rows = [
    `| shape M×K×N | ${dlpName} GFLOPS | ${peerName} GFLOPS | ratio dlp/${peerName} | spread dlp / ${peerName} |`,
    '|---|---:|---:|---:|---:|',
  ];
  for (const k of keys) {
    const d = dlp.get(k);
    const p = peer?.get(k);
    const dm = d ? median(d) : null;
    const pm = p ? median(p) : null;
    const ratio = dm != null && pm ? (dm / pm).toFixed(2) : '–';
    rows.push(`| ${k.replaceAll('x', '×')} | ${fmt(dm)} | ${peer ? fmt(pm) : 'skipped'} | ${ratio} | ${spread(d)} / ${spread(p)} |`);
  }
  return rows.join('\n');
}

async function main() {
  const facts = machineFacts();
  const loadStart = os.loadavg();
  if (loadStart[0] > 0.5) {
    process.stderr.write(`gemm-side-by-side: note: 1-minute load average is ${loadStart[0].toFixed(2)}; figures will be noisy unless the machine is quiet\n`);
  }
  const started = new Date();
  const raw = [];
  const infos = {};
  const byStep = new Map(); // step id -> shape -> [gflops per repeat]
  for (let r = 1; r <= opts.repeats; r++) {
    for (const step of steps) {
      let res;
      try {
        res = await runStep(step, r);
      } catch (e) {
        fail(`${e.message}\nnothing was written to ${rel(opts.outDir)}`);
      }
      if (res.info) infos[step.id] = res.info;
      if (!byStep.has(step.id)) byStep.set(step.id, new Map());
      const m = byStep.get(step.id);
      for (const obj of res.results) {
        raw.push(JSON.stringify({ ...obj, repeat: r }));
        const k = shapeKey(obj);
        if (!m.has(k)) m.set(k, []);
        m.get(k).push(obj.gflops);
      }
    }
  }
  const loadEnd = os.loadavg();
  const finished = new Date();

  const torch = infos.torch;
  const tfjs = infos['tfjs-wasm'];
  const thisCommand = ['node', 'bench/gemm-side-by-side.mjs', ...process.argv.slice(2)].join(' ');
  const md = `# GEMM: dlp vs PyTorch and TensorFlow.js

Generated by \`${thisCommand}\` (${started.toISOString()} – ${finished.toISOString()}).

Float32 C = A·B with A M×K and B K×N, all row-major and contiguous. GFLOPS = 2·M·K·N / time
of one product. Each benchmark reports, per shape, the median of timed runs after a warm-up;
the four benchmarks ran one at a time, never concurrently, and the whole sequence ran
${opts.repeats} time(s): every figure below is the median over those repeats. Ratio > 1 means dlp
is faster. "Spread" is (max − min) / median over the repeats: a large spread means a noisy
machine. Every raw line is in [gemm.jsonl](gemm.jsonl).

## dlp native vs PyTorch \`torch.mm\` (${T} thread${T === '1' ? '' : 's'})

${table(byStep, 'dlp-native', 'torch', 'dlp', 'torch')}

## dlp wasm vs TensorFlow.js wasm backend (1 thread, SIMD)

${table(byStep, 'dlp-wasm', 'tfjs-wasm', 'dlp', 'tfjs')}

## Machine

- CPU: ${facts.cpu}${facts.vendor ? ` (${facts.vendor}, family ${facts.family}, model ${facts.model}, ${facts.mhz} MHz reported)` : ''}${facts.hypervisor ? ', virtual machine' : ''}
- cores: ${facts.cores}; SIMD flags: ${facts.flags.join(', ') || 'unknown'}${facts.flags.length && !facts.flags.includes('avx512f') ? ' (no AVX-512)' : ''}
- memory: ${facts.memGiB} GiB; ${facts.os}; Node ${facts.node}
- load average (1/5/15 min) at start: ${loadStart.map((x) => x.toFixed(2)).join(' / ')}; at end: ${loadEnd.map((x) => x.toFixed(2)).join(' / ')}
- dlp: commit ${facts.commit}
- PyTorch: ${torch ? `${torch.torch}; BLAS: ${torch.blas}; torch threads ${torch.torch_threads}` : opts.skipTorch ? 'skipped' : 'no info reported'}
- TensorFlow.js: ${tfjs ? `tfjs-core ${tfjs.tfjs_core}, tfjs-backend-wasm ${tfjs.tfjs_backend_wasm}; wasm flavour ${tfjs.flavour}; ${tfjs.threads} thread; result read back with dataSync(): ${tfjs.readback}` : opts.skipTfjs ? 'skipped' : 'no info reported'}

## Reproduce

From the repository root, on a quiet machine:

\`\`\`sh
pnpm install && pnpm build
(cd bench/peers/tfjs && npm install --no-package-lock)   # TensorFlow.js ${tfjs?.tfjs_core ?? '4.22.0'}, outside the workspace
${thisCommand}
\`\`\`

which ran, in this order, ${opts.repeats} time(s):

\`\`\`sh
${steps.map(commandLine).join('\n')}
\`\`\`
`;
  const outDir = path.resolve(ROOT, opts.outDir);
  writeAtomic(path.join(outDir, 'gemm.jsonl'), raw.join('\n') + '\n');
  writeAtomic(path.join(outDir, 'gemm.md'), md);
  process.stderr.write(`gemm-side-by-side: wrote ${rel(path.join(outDir, 'gemm.md'))} and ${rel(path.join(outDir, 'gemm.jsonl'))}\n`);
  process.stdout.write(md);
}

await main();
