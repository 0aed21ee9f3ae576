// The CPU's measured f32 FMA peak (bench/fma-peak, a Rust probe), which every side-by-side
// report states its figures' share of. Built on first use with cargo; measured in the same run
// as the figures it is compared with, since these machines differ from one another.

import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './options.mjs';

const MANIFEST = path.join(ROOT, 'bench', 'fma-peak', 'Cargo.toml');
const BINARY = path.join(ROOT, 'bench', 'fma-peak', 'target', 'release', 'dlp-fma-peak');

/** The probe's command line, for the reports' "Reproduce" sections. */
export const FMA_PEAK_COMMAND = 'cargo run --release --manifest-path bench/fma-peak/Cargo.toml -- --threads T';

/**
 * Runs the probe for 1..threads threads: { byIsa: { avx2: [g1, g2, ...], avx512f: [...] },
 * peak: [best of the ISAs at 1 thread, at 2, ...], lines: the raw JSON lines }. Throws with the
 * probe's message when cargo or the probe fails.
 */
export function measureFmaPeak(threads) {
  execFileSync('cargo', ['build', '--release', '--quiet', '--manifest-path', MANIFEST], { stdio: ['ignore', 'ignore', 'inherit'] });
  const out = execFileSync(BINARY, ['--threads', String(threads)], { encoding: 'utf8' });
  const lines = out.trim().split('\n');
  const byIsa = {};
  for (const line of lines) {
    const r = JSON.parse(line);
    (byIsa[r.isa] ??= [])[r.threads - 1] = r.gflops;
  }
  const peak = Array.from({ length: threads }, (_, t) => Math.max(...Object.values(byIsa).map((g) => g[t] ?? 0)));
  return { byIsa, peak, lines };
}

/** "91 GFLOPS on 1 thread, 179 on 2 (AVX2+FMA; AVX-512F: 92, 180)": the report's line. */
export function describeFmaPeak({ byIsa }) {
  const fmt = (g) => g.map((x, t) => `${x.toFixed(0)} on ${t + 1} thread${t ? 's' : ''}`).join(', ');
  return Object.entries(byIsa)
    .map(([isa, g]) => `${isa === 'avx2' ? 'AVX2+FMA' : 'AVX-512F'}: ${fmt(g)}`)
    .join('; ');
}
