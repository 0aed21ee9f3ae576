/**
 * Where a step's time goes, kernel by kernel: while a KernelProfile records, every kernel that
 * `getKernel` hands out is timed around its call (kernels are synchronous on every backend, so
 * the wall time of the call is the kernel's, argument passing included), and the calls are
 * grouped by kernel, backend and shape (the call's numeric and boolean arguments). The time
 * outside them — the tape, allocation, JavaScript between calls — is the step's time minus
 * their sum, which the caller measures.
 *
 * Ops look their kernels up on every call, so recording around the steps is enough (as
 * bench/mlp-step-profile.mjs does); only a kernel function kept from before `start` runs untimed.
 */

import type { KernelName } from './registry.js';

/** One kernel at one shape: how often it ran and for how long. */
export interface KernelProfileEntry {
  kernel: KernelName;
  backend: string;
  /** The call's numeric and boolean arguments, `transB m=128 n=1024 k=3072 alpha=1 beta=0`: what makes its cost. */
  shape: string;
  calls: number;
  seconds: number;
  /** Floating-point operations of all the calls, where the kernel's count is known (GEMM: 2·m·n·k). */
  flops?: number;
}

type AnyKernel = (backend: { name: string }, args: Record<string, unknown>) => unknown;

/** Records kernel calls while started; `entries()` gives them, slowest first. */
export class KernelProfile {
  readonly #entries = new Map<string, KernelProfileEntry>();
  #recording = false;
  readonly #clock: () => number;

  /** `clock` returns milliseconds (performance.now by default). */
  constructor(clock: () => number = () => performance.now()) {
    this.#clock = clock;
  }

  get recording(): boolean {
    return this.#recording;
  }

  /** Starts recording: kernels handed out from now on are timed (stops any other profile). */
  start(): this {
    active?.stop();
    active = this;
    this.#recording = true;
    return this;
  }

  /** Stops recording; kernels already handed out run untimed from now on. */
  stop(): this {
    this.#recording = false;
    if (active === this) active = undefined;
    return this;
  }

  /** Every kernel and shape seen, slowest total first. */
  entries(): KernelProfileEntry[] {
    return [...this.#entries.values()].map((e) => ({ ...e })).sort((a, b) => b.seconds - a.seconds);
  }

  /** Seconds in all recorded kernel calls. */
  totalSeconds(): number {
    let total = 0;
    for (const e of this.#entries.values()) total += e.seconds;
    return total;
  }

  /** `impl` timed into this profile while it records. */
  wrap<F>(name: KernelName, impl: F): F {
    const kernel = impl as unknown as AnyKernel;
    const timed: AnyKernel = (backend, args) => {
      if (!this.#recording) return kernel(backend, args);
      const start = this.#clock();
      try {
        return kernel(backend, args);
      } finally {
        this.#add(name, backend.name, args, (this.#clock() - start) / 1000);
      }
    };
    return timed as unknown as F;
  }

  #add(kernel: KernelName, backend: string, args: Record<string, unknown>, seconds: number): void {
    const shape = describeShape(args);
    const key = `${backend}/${kernel}/${shape}`;
    let entry = this.#entries.get(key);
    if (!entry) {
      entry = { kernel, backend, shape, calls: 0, seconds: 0 };
      this.#entries.set(key, entry);
    }
    entry.calls += 1;
    entry.seconds += seconds;
    const flops = flopsOf(kernel, args);
    if (flops !== undefined) entry.flops = (entry.flops ?? 0) + flops;
  }
}

let active: KernelProfile | undefined;

/** The profile recording now, if any (getKernel wraps what it hands out into it). */
export function activeKernelProfile(): KernelProfile | undefined {
  return active;
}

/** Arguments that count the optimiser's steps: they change every step, not the work, so they are left out of the shape. */
const STEP_COUNTERS = new Set(['step', 'firstStep']);

/**
 * `transB m=128 n=1024 k=3072 alpha=1 beta=0`: the arguments in call order, numbers with their
 * value, true flags by name. A kernel whose arguments carry no sizes (elementwise kernels, the
 * optimisers' updates) is told apart by the length of its first buffer: `param[3145728] lr=0.01`.
 */
export function describeShape(args: Record<string, unknown>): string {
  const parts: string[] = [];
  let firstBuffer: string | undefined;
  let sized = false;
  for (const [name, value] of Object.entries(args)) {
    if (STEP_COUNTERS.has(name)) continue;
    if (typeof value === 'number') {
      parts.push(`${name}=${value}`);
      sized ||= Number.isInteger(value) && value > 1;
    } else if (value === true) parts.push(name);
    else if (firstBuffer === undefined && isBuffer(value)) firstBuffer = `${name}[${value.length}]`;
  }
  if (!sized && firstBuffer !== undefined) parts.unshift(firstBuffer);
  return parts.join(' ');
}

function isBuffer(value: unknown): value is { length: number } {
  return typeof value === 'object' && value !== null && typeof (value as { length?: unknown }).length === 'number';
}

function flopsOf(kernel: KernelName, args: Record<string, unknown>): number | undefined {
  if (kernel !== 'gemm') return undefined;
  const { m, n, k } = args as { m: number; n: number; k: number };
  return 2 * m * n * k;
}
