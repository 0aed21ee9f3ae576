/**
 * The web demo's page script (placeholder until in-browser training lands): loads the wasm
 * backend, checks its GEMM against the TypeScript reference, and times it, on a click.
 */

import { getKernel, gemmReference, loadBackend, Rng, wasmSimdSupported, type Backend } from '@dlp/core/browser';

const $ = <T extends HTMLElement>(selector: string) => document.querySelector(selector) as T;
const status = $('#status');
const button = $<HTMLButtonElement>('#run');
const table = $<HTMLTableElement>('#results');

function show(rows: Array<[string, string]>): void {
  const body = table.tBodies[0]!;
  body.replaceChildren(
    ...rows.map(([what, value]) => {
      const tr = document.createElement('tr');
      tr.innerHTML = `<td></td><td class="num"></td>`;
      tr.cells[0]!.textContent = what;
      tr.cells[1]!.textContent = value;
      return tr;
    }),
  );
  table.hidden = false;
}

function random(rng: Rng, length: number): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = rng.nextFloat() * 2 - 1;
  return out;
}

/** Largest relative difference between the wasm product and the reference on a transposed case. */
function checkAgainstReference(backend: Backend): number {
  const spec = { transA: true, transB: false, m: 37, n: 29, k: 301, alpha: 1, beta: 0 };
  const rng = new Rng(1);
  const a = random(rng, spec.m * spec.k);
  const b = random(rng, spec.k * spec.n);
  const want = new Float64Array(spec.m * spec.n);
  gemmReference(spec, a, b, want);
  const c = backend.allocate(spec.m * spec.n, 'float32');
  getKernel('gemm', 'wasm')(backend, { ...spec, a: backend.upload(a), b: backend.upload(b), c });
  const got = backend.view(c);
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < got.length; i++) {
    worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
    scale = Math.max(scale, Math.abs(want[i]!));
  }
  return worst / scale;
}

/** Median GFLOPS of C = A·B for one shape after a warm-up. */
function gflops(backend: Backend, m: number, k: number, n: number): number {
  const rng = new Rng(2);
  const [a, b, c] = [backend.upload(random(rng, m * k)), backend.upload(random(rng, k * n)), backend.allocate(m * n, 'float32')];
  const gemm = getKernel('gemm', 'wasm');
  const run = () => gemm(backend, { transA: false, transB: false, m, n, k, alpha: 1, beta: 0, a, b, c });
  run();
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t = performance.now();
    run();
    times.push(performance.now() - t);
  }
  times.sort((x, y) => x - y);
  for (const s of [a, b, c]) backend.release(s);
  return (2 * m * k * n) / (times[3]! * 1e6);
}

async function main(): Promise<void> {
  const backend = await loadBackend('wasm', { wasmUrl: new URL('./wasm/', location.href) });
  status.textContent = `Ready: ${backend.describe()}.`;
  status.dataset.state = 'ready';
  button.disabled = false;
  button.addEventListener('click', () => {
    button.disabled = true;
    status.textContent = 'Running…';
    // Let the page paint "Running…" before the (synchronous) kernels take the thread.
    setTimeout(() => {
      const error = checkAgainstReference(backend);
      const rows: Array<[string, string]> = [
        ['backend', backend.describe()],
        ['engine supports WebAssembly SIMD', wasmSimdSupported() ? 'yes' : 'no'],
        ['max relative error vs reference (37×301 · 301×29, Aᵀ)', error.toExponential(2)],
      ];
      for (const [m, k, n] of [[200, 3072, 100], [128, 3072, 1024]] as const) {
        rows.push([`GFLOPS ${m}×${k}×${n}`, gflops(backend, m, k, n).toFixed(1)]);
      }
      show(rows);
      const ok = error < 1e-5;
      status.textContent = ok ? 'Done: the wasm GEMM agrees with the reference.' : 'The wasm GEMM disagrees with the reference!';
      status.className = ok ? '' : 'error';
      status.dataset.state = ok ? 'done' : 'failed';
      button.disabled = false;
    }, 20);
  });
}

main().catch((error: unknown) => {
  status.textContent = `Could not start: ${error instanceof Error ? error.message : String(error)}`;
  status.className = 'error';
  status.dataset.state = 'failed';
});
