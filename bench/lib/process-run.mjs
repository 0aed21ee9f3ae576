// Running whole training processes under GNU time, one at a time, for the side-by-side
// scripts in bench/: command lines, `/usr/bin/time -v` reports, progress display, and the
// `dlp train --json` line contract (eval lines, then a done line). No dependencies beyond Node.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, rel } from './options.mjs';

/** GNU time: wall time and peak resident memory of a whole process. */
export const TIME = '/usr/bin/time';

/** Fails unless GNU time is installed. */
export function requireGnuTime(fail) {
  if (!fs.existsSync(TIME)) {
    fail(`${TIME} (GNU time, for peak memory) is missing: install it with \`apt-get install -y time\``);
  }
}

/** Shell-quotes one word when it needs it. */
export const quote = (x) => (/[^\w./=:,+-]/.test(x) ? `'${x.replaceAll("'", "'\\''")}'` : x);

/**
 * The shell command line of a run: { cmd, args, env, outFlag }; with outFlag, `--out <out>` is
 * appended (a temporary folder per run, `<tmp>` in reports).
 */
export function commandLine(run, out = '<tmp>') {
  const env = Object.entries(run.env ?? {}).map(([k, v]) => `${k}=${v}`);
  const args = run.outFlag ? [...run.args, '--out', out] : run.args;
  return [...env, TIME, '-v', run.cmd, ...args].map((x) => (x === '<tmp>' ? x : quote(x))).join(' ');
}

/** Parses GNU time -v's report: peak RSS (KiB), elapsed wall time (s). */
export function parseTimeReport(text) {
  const rss = text.match(/Maximum resident set size \(kbytes\):\s*(\d+)/);
  const el = text.match(/Elapsed \(wall clock\) time \(h:mm:ss or m:ss\):\s*([\d:.]+)/);
  let wall = null;
  if (el) wall = el[1].split(':').map(Number).reduce((acc, x) => acc * 60 + x, 0);
  return { maxRssKiB: rss ? Number(rss[1]) : null, processWall: wall };
}

/** The last `peer-info {...}` line of a peer's stderr, parsed, or null. */
function peerInfo(err) {
  const line = err.split('\n').reverse().find((l) => l.startsWith('peer-info '));
  if (!line) return null;
  try { return JSON.parse(line.slice('peer-info '.length)); } catch { return null; }
}

/**
 * Runs one process under `/usr/bin/time -v` with its stderr shown line by line behind `tag`
 * (progress bars that redraw with \r show their last state; peer-info lines are hidden).
 * Resolves to { lines (eval and done objects), done, info (peer-info), backendDetail (from the
 * run folder's config.json), processWall, maxRssKiB, spawnWall }; rejects when the process
 * fails, prints no done line with the `required` numeric fields, or time's report is unreadable.
 */
export function runTimed(run, { tag, required = ['test_accuracy', 'wall_s', 'train_steps_per_s'] }) {
  return new Promise((resolve, reject) => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `dlp-mlp-bench-${run.id}-`));
    const timeFile = path.join(tmp, 'time.txt');
    const runOut = path.join(tmp, 'run');
    const args = ['-v', '-o', timeFile, run.cmd, ...(run.outFlag ? [...run.args, '--out', runOut] : run.args)];
    process.stderr.write(`${tag}$ ${commandLine(run, runOut)}\n`);
    const cleanup = () => fs.rmSync(tmp, { recursive: true, force: true });
    const t0 = process.hrtime.bigint();
    const child = spawn(TIME, args, { cwd: ROOT, env: { ...process.env, ...run.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let errLine = '';
    const show = (l) => {
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
    child.on('error', (e) => { cleanup(); reject(new Error(`${run.label}: cannot start ${TIME} (${e.code ?? e.message})`)); });
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
        reject(new Error(`${run.label} failed (${signal ? `signal ${signal}` : `exit code ${exit ?? code}`}): ${commandLine(run)}`));
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
      const bad = done && required.filter((f) => typeof done[f] !== 'number');
      if (!done || bad.length) {
        reject(new Error(`${run.label} printed no valid {"event":"done",…} line${bad?.length ? ` (missing ${bad.join(', ')})` : ''}: ${commandLine(run)}`));
        return;
      }
      const tr = parseTimeReport(timeText);
      if (tr.processWall == null || tr.maxRssKiB == null) {
        reject(new Error(`${run.label}: could not read ${TIME}'s report (${timeText.slice(0, 200) || 'empty'})`));
        return;
      }
      resolve({ lines, done, info: peerInfo(err), backendDetail, processWall: tr.processWall, maxRssKiB: tr.maxRssKiB, spawnWall });
    });
  });
}

/**
 * Runs the whole `plan` in order, one process at a time, `repeats` times. A run is
 * { id (the implementation), key (its results' key, default id), name (shown in the progress
 * tag, default id), tags (put first in its raw lines, default { impl: id }), label, cmd, args,
 * env, outFlag }. Returns { raw (JSON strings: every eval/done line tagged with the run's tags
 * and the repeat, plus a "process" line per run), byKey (key -> results per repeat), infos
 * (id -> the last peer-info, with backend_detail) }. The first failure ends the script with
 * fail(), naming outDir as untouched.
 */
export async function runRepeats(plan, repeats, { fail, outDir }) {
  const raw = [];
  const byKey = new Map(plan.map((run) => [run.key ?? run.id, []]));
  const infos = {};
  for (let r = 1; r <= repeats; r++) {
    for (const run of plan) {
      const tag = `[${run.name ?? run.id} ${r}/${repeats}] `;
      const tags = run.tags ?? { impl: run.id };
      let res;
      try {
        res = await runTimed(run, { tag });
      } catch (e) {
        fail(`${e.message}\nnothing was written to ${rel(outDir)}`);
      }
      byKey.get(run.key ?? run.id).push(res);
      if (res.info) infos[run.id] = res.info;
      if (res.backendDetail) infos[run.id] = { ...(infos[run.id] ?? {}), backend_detail: res.backendDetail };
      for (const obj of res.lines) raw.push(JSON.stringify({ ...tags, repeat: r, ...obj }));
      raw.push(JSON.stringify({
        ...tags, repeat: r, event: 'process', process_wall_s: res.processWall, max_rss_kib: res.maxRssKiB,
        spawn_wall_s: Number(res.spawnWall.toFixed(3)),
      }));
      process.stderr.write(`${tag}process ${res.processWall.toFixed(2)} s, in-run ${res.done.wall_s.toFixed(2)} s, ` +
        `${res.done.train_steps_per_s.toFixed(0)} steps/s, test accuracy ${res.done.test_accuracy}, peak RSS ${(res.maxRssKiB / 1024).toFixed(0)} MiB\n`);
    }
  }
  return { raw, byKey, infos };
}
