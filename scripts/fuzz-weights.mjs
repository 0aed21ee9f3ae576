#!/usr/bin/env node
/**
 * Fuzzes @dlp/core's weight readers for a long time, against the built dist
 * (packages/core/dist: run `pnpm --filter @dlp/core build:ts` first):
 *
 *   node scripts/fuzz-weights.mjs [--iterations N] [--seed S] [--readers a,b,…] [--time-guard-ms MS] [--save-dir DIR]
 *
 * Readers (each gets N inputs, default 100000): safetensors, pth-zip (zip records that lie),
 * pth-pickle (data.pkl edited opcode-wise, re-zipped with correct CRCs), pth-storages (wrong,
 * missing, duplicated, shuffled storages), pth-legacy (the pre-1.6 format). The inputs are the
 * seeded mutations of packages/core/test/support/weight-fuzz.mjs applied to the committed
 * fixtures (the vitest fuzz tests run a few thousand of the same kind).
 *
 * Each input must decode or throw WeightsFormatError. Anything else is reported:
 * - a crash: any other exception;
 * - a hang: an input still running after --time-guard-ms (default 5000). Inputs run in a worker
 *   thread that stamps each start in shared memory; the main thread terminates a worker whose
 *   input overruns, records it and goes on from the next input;
 * - an over-allocation: a typed array larger than 4 × the input + 1 MiB (what a file of that
 *   size can justify: float16 doubles into float32). The worker replaces the typed-array
 *   constructors before loading dist, so every allocation the readers make is checked.
 * It prints, per reader, how many inputs it tried and what became of them, and exits 1 if any
 * input crashed, hung or over-allocated (with each one's case seed: makeRng(seed) gives it back;
 * --save-dir writes the inputs themselves).
 */

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CORE = join(ROOT, 'packages', 'core');
const FIXTURES = join(CORE, 'test', 'fixtures');
const READERS = ['safetensors', 'pth-zip', 'pth-pickle', 'pth-storages', 'pth-legacy'];
/** Readers that misbehave on purpose, to show the guards catch it: --readers self-test-alloc,self-test-hang,self-test-crash. */
const SELF_TESTS = ['self-test-alloc', 'self-test-hang', 'self-test-crash'];
/** The most one allocation may take for an input of `length` bytes. */
const allocationCap = (length) => 4 * length + (1 << 20);

// ---------------------------------------------------------------- main thread

async function main() {
  const { values } = parseArgs({
    options: {
      iterations: { type: 'string', default: '100000' },
      seed: { type: 'string', default: '1' },
      readers: { type: 'string', default: READERS.join(',') },
      'time-guard-ms': { type: 'string', default: '5000' },
      'save-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('*/')[0].replace(/^[\s\S]*?\/\*\*\n/, '').replace(/^ \* ?/gm, ''));
    return;
  }
  const iterations = positiveInt(values.iterations, '--iterations');
  const seed = positiveInt(values.seed, '--seed');
  const guardMs = positiveInt(values['time-guard-ms'], '--time-guard-ms');
  const readers = values.readers.split(',').filter(Boolean);
  for (const r of readers) if (!READERS.includes(r) && !SELF_TESTS.includes(r)) usage(`unknown reader '${r}' (known: ${READERS.join(', ')})`);
  const dist = join(CORE, 'dist', 'index.js');
  try {
    readFileSync(dist);
  } catch {
    usage(`${dist} is missing: run \`pnpm --filter @dlp/core build:ts\` first`);
  }

  console.log(`fuzz-weights: seed ${seed}, ${iterations} inputs per reader, time guard ${guardMs} ms, readers from ${dist}`);
  let problems = 0;
  for (const reader of readers) {
    const result = await runReader(reader, { iterations, seed, guardMs, dist });
    problems += result.crashes.length + result.hangs.length + result.overAllocations.length;
    console.log(
      `${reader.padEnd(13)} ${String(result.tried).padStart(8)} inputs  accepted ${result.accepted}  rejected ${result.rejected}` +
        `  crashes ${result.crashes.length}  hangs ${result.hangs.length}  over-allocations ${result.overAllocations.length}` +
        `  slowest ${result.slowestMs.toFixed(1)} ms  largest allocation ${result.largestRatio.toFixed(2)} x input  (${result.seconds.toFixed(1)} s)` +
        (result.unreported > 0 ? `  [${result.unreported} ran just before a hang, outcome not reported]` : ''),
    );
    for (const [kind, list] of [['crash', result.crashes], ['hang', result.hangs], ['over-allocation', result.overAllocations]]) {
      for (const p of list.slice(0, 5)) console.log(`  ${kind}: input ${p.index} (case seed ${p.caseSeed}): ${p.message.split('\n')[0]}`);
    }
    if (values['save-dir']) saveInputs(values['save-dir'], reader, seed, [...result.crashes, ...result.hangs, ...result.overAllocations]);
  }
  console.log(problems === 0 ? 'no input crashed, hung or over-allocated' : `${problems} inputs crashed, hung or over-allocated`);
  process.exitCode = problems === 0 ? 0 : 1;
}

function positiveInt(raw, flag) {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < 1) usage(`${flag} must be a positive integer, got '${raw}'`);
  return n;
}

function usage(message) {
  console.error(`fuzz-weights: ${message}`);
  process.exit(2);
}

/** Runs one reader's inputs in a worker, restarting it after an input that overran the guard. */
async function runReader(reader, { iterations, seed, guardMs, dist }) {
  const result = { tried: 0, unreported: 0, accepted: 0, rejected: 0, crashes: [], hangs: [], overAllocations: [], slowestMs: 0, largestRatio: 0, seconds: 0 };
  let reported = 0; // inputs this worker has reported on
  const started = Date.now();
  let next = 0;
  while (next < iterations) {
    // [0]: index of the input running, [1]: when it started (Date.now()), [2]: 1 when done
    const beat = new Float64Array(new SharedArrayBuffer(3 * 8));
    beat[0] = next;
    beat[1] = Date.now();
    const worker = new Worker(fileURLToPath(import.meta.url), {
      workerData: { reader, seed, start: next, end: iterations, beat, dist: pathToFileURL(dist).href },
    });
    reported = 0;
    const outcome = await new Promise((resolveRun) => {
      const timer = setInterval(() => {
        if (beat[2] !== 1 && Date.now() - beat[1] > guardMs) {
          clearInterval(timer);
          void worker.terminate();
          resolveRun({ hungAt: beat[0] });
        }
      }, Math.min(250, guardMs));
      worker.on('message', (m) => {
        if (m.type === 'progress') {
          reported += m.tried;
          result.tried += m.tried;
          result.accepted += m.accepted;
          result.rejected += m.rejected;
          result.slowestMs = Math.max(result.slowestMs, m.slowestMs);
          result.largestRatio = Math.max(result.largestRatio, m.largestRatio);
        } else if (m.type === 'problem') {
          reported += 1;
          result.tried += 1;
          result[m.kind].push(m);
        }
      });
      worker.on('error', (error) => {
        clearInterval(timer);
        resolveRun({ error });
      });
      worker.on('exit', () => {
        clearInterval(timer);
        resolveRun({ done: true });
      });
    });
    if (outcome.error) throw outcome.error;
    if (outcome.hungAt !== undefined) {
      const index = outcome.hungAt;
      // inputs before the hung one that ran since the last progress report: run, outcome not reported
      result.tried += index - next - reported + 1;
      result.unreported += index - next - reported;
      result.hangs.push({ index, caseSeed: await caseSeedOf(seed, reader, index), message: `still running after ${guardMs} ms` });
      next = index + 1;
    } else {
      next = iterations;
    }
  }
  result.seconds = (Date.now() - started) / 1000;
  return result;
}

async function caseSeedOf(seed, reader, index) {
  const { caseSeed } = await import(pathToFileURL(join(CORE, 'test', 'support', 'weight-fuzz.mjs')).href);
  return caseSeed(seed, READERS.indexOf(reader), index);
}

function saveInputs(dir, reader, seed, problems) {
  if (problems.length === 0) return;
  mkdirSync(dir, { recursive: true });
  for (const p of problems) writeFileSync(join(dir, `${reader}-seed${seed}-input${p.index}.bin`), p.bytes ?? new Uint8Array(0));
}

// ---------------------------------------------------------------- worker thread

/** Typed-array constructors that refuse, while `guard.active`, any allocation over the cap. */
function guardAllocations(guard) {
  const kinds = ['Float64Array', 'Float32Array', 'Uint32Array', 'Int32Array', 'Uint16Array', 'Int16Array', 'Uint8Array', 'Int8Array', 'BigInt64Array', 'BigUint64Array'];
  for (const kind of kinds) {
    const Original = globalThis[kind];
    const bytesPer = Original.BYTES_PER_ELEMENT;
    const Guarded = class extends Original {
      constructor(...args) {
        if (guard.active && typeof args[0] === 'number') {
          const bytes = args[0] * bytesPer;
          guard.total += bytes;
          guard.largest = Math.max(guard.largest, bytes);
          if (bytes > guard.cap) throw new OverAllocation(`${kind}(${args[0]}): ${bytes} bytes for a ${guard.inputLength}-byte input`);
        }
        super(...args);
      }
    };
    Object.defineProperty(Guarded, 'name', { value: kind });
    globalThis[kind] = Guarded;
  }
}

class OverAllocation extends Error {}

async function work({ reader, seed, start, end, beat, dist }) {
  const guard = { active: false, cap: 0, inputLength: 0, total: 0, largest: 0 };
  guardAllocations(guard); // before dist is loaded, so its typed-array tables hold the guarded classes
  const fuzz = await import(pathToFileURL(join(CORE, 'test', 'support', 'weight-fuzz.mjs')).href);
  const { io, WeightsFormatError } = await import(dist);
  const bytes = (name) => new Uint8Array(readFileSync(join(FIXTURES, name)));
  const inflateRaw = io.nodeInflateRaw();
  const pthDecode = (b) => io.decodePth(b, { source: 'fuzz.pth', halfToFloat32: true, inflateRaw });
  const zips = ['dtypes.pth', 'views.pth', 'module.pth', 'checkpoint.pth', 'module-deflate.pth'].map((n) => bytes(`weights/${n}`));
  const archives = zips.slice(0, 4).map(fuzz.readZip);
  const setups = {
    safetensors: {
      make: (rng, corpus) => fuzz.makeSafetensorsCase(corpus, rng),
      corpus: ['weights/dtypes.safetensors', 'weights/views.safetensors', 'weights/module.safetensors', 'small.safetensors'].map(bytes),
      decode: (b) => io.decodeSafetensors(b, 'fuzz.safetensors', { halfToFloat32: true }),
    },
    'pth-zip': { make: (rng) => fuzz.makeZipCase(zips, rng), decode: pthDecode },
    'pth-pickle': { make: (rng) => fuzz.makePickleCase(archives, rng), decode: pthDecode },
    'pth-storages': { make: (rng) => fuzz.makeStorageCase(archives, rng), decode: pthDecode },
    'pth-legacy': {
      make: (rng) => fuzz.makeLegacyCase([bytes('weights/module-legacy.pth')], rng),
      decode: (b) => io.decodeLegacyPth(b, { source: 'fuzz.pth', halfToFloat32: true }),
    },
  };
  // every 7th input: an allocation of 8 MiB + 8x the input, an endless loop, a TypeError
  const misbehave = (b, index, bad) => (index % 7 === 3 ? bad(b) : io.decodeSafetensors(b, 'self-test'));
  setups['self-test-alloc'] = { ...setups.safetensors, decode: (b) => misbehave(b, lastIndex, () => new Float64Array(b.length + (1 << 20))) };
  setups['self-test-hang'] = { ...setups.safetensors, decode: (b) => misbehave(b, lastIndex, () => { for (;;); }) };
  setups['self-test-crash'] = { ...setups.safetensors, decode: (b) => misbehave(b, lastIndex, () => null.x) };
  let lastIndex = -1;
  const setup = setups[reader];
  const stream = READERS.indexOf(reader);
  let batch = { tried: 0, accepted: 0, rejected: 0, slowestMs: 0, largestRatio: 0 };
  let lastFlush = performance.now();
  const flush = () => {
    lastFlush = performance.now();
    parentPort.postMessage({ type: 'progress', ...batch });
    batch = { tried: 0, accepted: 0, rejected: 0, slowestMs: 0, largestRatio: 0 };
  };
  for (let index = start; index < end; index++) {
    lastIndex = index;
    const caseSeed = fuzz.caseSeed(seed, stream, index);
    const input = setup.make(fuzz.makeRng(caseSeed), setup.corpus);
    Object.assign(guard, { cap: allocationCap(input.length), inputLength: input.length, total: 0, largest: 0 });
    beat[0] = index;
    beat[1] = Date.now();
    const t0 = performance.now();
    guard.active = true;
    try {
      const outcome = fuzz.checkOutcome(setup.decode, input, WeightsFormatError);
      guard.active = false;
      batch[outcome]++;
      batch.tried++;
    } catch (error) {
      guard.active = false;
      const kind = error instanceof OverAllocation ? 'overAllocations' : 'crashes';
      flush();
      parentPort.postMessage({ type: 'problem', kind, index, caseSeed, message: String(error?.stack ?? error), bytes: input });
    }
    batch.slowestMs = Math.max(batch.slowestMs, performance.now() - t0);
    batch.largestRatio = Math.max(batch.largestRatio, guard.largest / Math.max(1, input.length));
    if (batch.tried >= 1000 || performance.now() - lastFlush > 200) flush();
  }
  flush();
  beat[2] = 1;
}

// last, once every class above is initialised
if (isMainThread) await main();
else await work(workerData);
