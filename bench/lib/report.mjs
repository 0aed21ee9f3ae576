// Aggregating and writing the side-by-side reports in bench/: medians and spreads, the
// machine's facts, and atomic writes of the .md / .jsonl pair. No dependencies beyond Node.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, rel } from './options.mjs';
import { quote, TIME } from './process-run.mjs';

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};

/** (max − min) / median as a percentage, or '–' for fewer than two values. */
export const spread = (xs) => (xs.length > 1 ? `${(((Math.max(...xs) - Math.min(...xs)) / median(xs)) * 100).toFixed(0)}%` : '–');

export const secs = (x) => (x == null ? '–' : `${x.toFixed(2)} s`);

/** Writes `file` through a temporary file in the same folder and a rename. */
export function writeAtomic(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/** Writes <outDir>/<base>.jsonl (the raw lines) then <outDir>/<base>.md, each atomically. */
export function writeResults(name, outDir, base, raw, md) {
  const dir = path.resolve(ROOT, outDir);
  writeAtomic(path.join(dir, `${base}.jsonl`), raw.join('\n') + '\n');
  writeAtomic(path.join(dir, `${base}.md`), md);
  process.stderr.write(`${name}: wrote ${rel(path.join(dir, `${base}.md`))} and ${rel(path.join(dir, `${base}.jsonl`))}\n`);
}

/** The 1/5/15-minute load averages now; notes on stderr when the machine is busy. */
export function loadAtStart(name) {
  const load = os.loadavg();
  if (load[0] > 0.5) {
    process.stderr.write(`${name}: note: 1-minute load average is ${load[0].toFixed(2)}; figures will be noisy unless the machine is quiet\n`);
  }
  return load;
}

/** CPU (model, SIMD flags, virtual or not), cores, memory, OS, Node, dlp's commit, GNU time. */
export function machineFacts() {
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
  const git = (...args) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    f.commit = git('rev-parse', '--short=12', 'HEAD');
    if (git('status', '--porcelain', '--untracked-files=no')) f.commit += ' (with uncommitted changes)';
  } catch { f.commit = 'unknown'; }
  try {
    f.time = execFileSync(TIME, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split('\n')[0].trim().replace(' UNKNOWN', '');
  } catch { f.time = 'GNU time (version unknown)'; }
  return f;
}

/** The report's first "Machine" bullets: CPU, cores and SIMD, memory/OS/Node/time, load. */
export function machineLines(f, loadStart, loadEnd) {
  const loads = (l) => l.map((x) => x.toFixed(2)).join(' / ');
  return [
    `- CPU: ${f.cpu}${f.vendor ? ` (${f.vendor}, family ${f.family}, model ${f.model}, ${f.mhz} MHz reported)` : ''}${f.hypervisor ? ', virtual machine' : ''}`,
    `- cores: ${f.cores}; SIMD flags: ${f.flags.join(', ') || 'unknown'}${f.flags.length && !f.flags.includes('avx512f') ? ' (no AVX-512)' : ''}`,
    `- memory: ${f.memGiB} GiB; ${f.os}; Node ${f.node}; ${f.time}`,
    `- load average (1/5/15 min) at start: ${loads(loadStart)}; at end: ${loads(loadEnd)}`,
  ];
}

/** The command line that ran this script, quoted as a shell would need it. */
export const thisCommand = (script) => ['node', script, ...process.argv.slice(2)].map(quote).join(' ');

/** The report's "Reproduce" section: the script's command, then every command it ran. */
export function reproduceSection(command, repeats, commands) {
  return `## Reproduce

From the repository root, on a quiet machine:

\`\`\`sh
pnpm install && pnpm build
${command}
\`\`\`

which ran, in this order, ${repeats} time(s) (\`<tmp>\`: a fresh temporary folder, deleted afterwards):

\`\`\`sh
${commands.join('\n')}
\`\`\`
`;
}
