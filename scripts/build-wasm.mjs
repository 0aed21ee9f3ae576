#!/usr/bin/env node
// Builds the WebAssembly binding (crates/wasm, crate dlp-wasm) in three variants and generates
// its wasm-bindgen glue:
//
//   packages/core/wasm/simd/     built with -C target-feature=+simd128 (gemm's simd128 kernels)
//   packages/core/wasm/scalar/   built without simd128 (for measuring, and engines without SIMD)
//   packages/core/wasm/threads/  simd128 + atomics on a shared memory, the kernels' rayon pool on
//                                Web Workers (crate feature `threads`: wasm-bindgen-rayon); for
//                                cross-origin isolated pages, called from a Worker
//
// each holding dlp_wasm.js (ESM glue, --target web), dlp_wasm_bg.wasm and build-info.json
// (threads/ also snippets/, the pool's worker script, which the glue imports by relative URL).
//
// Usage: node scripts/build-wasm.mjs [--force] [--variant simd|scalar|threads] [--no-opt]
//
// Toolchain: when `rustup target list --installed` has wasm32-unknown-unknown, the plain
// `cargo build --target wasm32-unknown-unknown`. Otherwise Debian's Rust (packages rustc-web,
// cargo-web, rust-web-src, lld), which has no prebuilt std for wasm32: std is compiled with
// `-Z build-std` (RUSTC_BOOTSTRAP=1) and linked with wasm-ld. See docs in TOOLCHAIN notes.
// The threads variant always rebuilds std (a prebuilt std has no atomics), so on the rustup
// route too it needs `-Z build-std` (RUSTC_BOOTSTRAP=1 unlocks it on a stable toolchain) and
// the toolchain's std sources (`rustup component add rust-src`).
// No npm dependencies: only node's standard library.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CRATE_DIR = join(ROOT, 'crates', 'wasm');
const KERNELS_DIR = join(ROOT, 'crates', 'kernels');
const CONTRACT_DIR = join(ROOT, 'crates', 'contract');
const OUT_ROOT = join(ROOT, 'packages', 'core', 'wasm');
const TARGET = 'wasm32-unknown-unknown';
const CRATE_FILE = 'dlp_wasm'; // the cdylib's file name (crate dlp-wasm)
const OUT_NAME = 'dlp_wasm';

// Shared memory for the threads variant: 4 GiB, wasm32's whole address space (65536 pages).
// The memory is created once at its initial size and grows in place up to this maximum (a
// shared memory cannot move, so engines reserve the maximum's address space up front: V8 does
// so for every wasm32 memory anyway). CIFAR-10 training needs well over rustc's default 1 GiB
// for shared memories: the dataset's tensors, activations of a batch, the model and Adam's state.
const THREADS_MAX_MEMORY = 4 * 1024 * 1024 * 1024;

const VARIANTS = {
  simd: { rustflags: ['-C', 'target-feature=+simd128'], wasmOptFeatures: ['--enable-simd'], simd: true },
  scalar: { rustflags: [], wasmOptFeatures: [], simd: false },
  threads: {
    rustflags: [
      '-C',
      'target-feature=+simd128,+atomics,+bulk-memory,+mutable-globals',
      // What wasm-bindgen's thread support expects of the module: the memory imported (each
      // Worker instantiates the module on the same one) and shared, and the thread-local
      // storage symbols exported so that every thread can set up its own TLS block. rustc used
      // to pass these itself for +atomics; the rustc 1.96 we build with does not.
      ...['--shared-memory', '--import-memory', `--max-memory=${THREADS_MAX_MEMORY}`].flatMap((a) => ['-C', `link-arg=${a}`]),
      ...['__wasm_init_tls', '__tls_size', '__tls_align', '__tls_base'].flatMap((s) => ['-C', `link-arg=--export=${s}`]),
    ],
    cargoFeatures: ['threads'],
    // std's prebuilt rlib is compiled without atomics; linking it into a shared-memory module fails.
    buildStd: true,
    wasmOptFeatures: ['--enable-simd', '--enable-threads'],
    simd: true,
  },
};
// Features rustc enables by default for wasm32-unknown-unknown (LLVM's "generic" CPU), which
// wasm-opt must accept in the input and may keep in its output.
const WASM_OPT_BASE_FEATURES = [
  '--enable-mutable-globals',
  '--enable-sign-ext',
  '--enable-nontrapping-float-to-int',
  '--enable-bulk-memory',
  '--enable-reference-types',
  '--enable-multivalue',
];

class BuildError extends Error {}

function parseArgs(argv) {
  const opts = { force: false, variants: Object.keys(VARIANTS), opt: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') continue; // `pnpm run build:wasm -- --force` passes it through
    if (arg === '--force') opts.force = true;
    else if (arg === '--no-opt') opts.opt = false;
    else if (arg === '--variant' || arg.startsWith('--variant=')) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
      if (!value || !(value in VARIANTS)) {
        throw new BuildError(`--variant must be one of ${Object.keys(VARIANTS).join(', ')}, got ${value}`);
      }
      opts.variants = [value];
    } else if (arg === '--help' || arg === '-h') {
      console.log(`usage: node scripts/build-wasm.mjs [--force] [--variant ${Object.keys(VARIANTS).join('|')}] [--no-opt]`);
      process.exit(0);
    } else throw new BuildError(`unknown argument ${arg} (try --help)`);
  }
  return opts;
}

/** Runs a command, capturing output; `null` when the program does not exist. */
function probe(cmd, args, env = process.env) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env });
  if (r.error) return null;
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Runs a command with inherited output; throws on failure. */
function run(cmd, args, { env = process.env, cwd = ROOT } = {}) {
  console.log(`  $ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env, cwd });
  if (r.error) throw new BuildError(`could not run ${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new BuildError(`${cmd} ${args[0] ?? ''} failed with exit code ${r.status}`);
}

/** First executable named `name` on PATH or in the extra directories. */
function which(name, extraDirs = []) {
  for (const dir of [...(process.env.PATH ?? '').split(delimiter), ...extraDirs]) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      if (statSync(p).isFile()) return p;
    } catch {
      // not here
    }
  }
  return null;
}

/** The plain rustup route when its wasm32 target is installed, else Debian's packages. */
function chooseToolchain() {
  const rustup = probe('rustup', ['target', 'list', '--installed']);
  if (rustup && rustup.status === 0 && rustup.stdout.split(/\s+/).includes(TARGET)) {
    const cargo = which('cargo', [join(homedir(), '.cargo', 'bin')]) ?? 'cargo';
    return { name: 'rustup', cargo, env: {}, buildArgs: [], linkerFlags: [], rebuildsStd: false };
  }
  const missing = [];
  if (!existsSync('/usr/bin/rustc')) missing.push('/usr/bin/rustc (apt-get install rustc-web)');
  if (!existsSync('/usr/bin/cargo')) missing.push('/usr/bin/cargo (apt-get install cargo-web)');
  if (!existsSync('/usr/lib/rustlib/src/rust/library')) {
    missing.push('/usr/lib/rustlib/src/rust/library (apt-get install rust-web-src)');
  }
  if (!which('wasm-ld')) missing.push('wasm-ld (apt-get install lld)');
  if (missing.length > 0) {
    throw new BuildError(
      `no Rust toolchain for ${TARGET}: rustup has no ${TARGET} target ` +
        `(\`rustup target add ${TARGET}\`), and the Debian route lacks ${missing.join(', ')}`,
    );
  }
  return {
    name: 'debian',
    cargo: '/usr/bin/cargo',
    env: { RUSTC: '/usr/bin/rustc', RUSTC_BOOTSTRAP: '1' },
    buildArgs: ['-Z', 'build-std=std,panic_abort'],
    linkerFlags: ['-C', 'linker=wasm-ld'],
    rebuildsStd: true,
  };
}

/**
 * The toolchain as the variant needs it: a variant with `buildStd` on the rustup route gets
 * `-Z build-std` too, which needs the std sources and an unstable flag. RUSTC_BOOTSTRAP=1
 * allows `-Z` on stable and beta toolchains as well as nightly (as the Debian route does).
 */
function toolchainFor(toolchain, variant) {
  const spec = VARIANTS[variant];
  if (!spec.buildStd || toolchain.rebuildsStd) return toolchain;
  const sysroot = probe('rustc', ['--print', 'sysroot'])?.stdout.trim();
  const library = sysroot ? join(sysroot, 'lib', 'rustlib', 'src', 'rust', 'library') : null;
  if (!library || !existsSync(library)) {
    throw new BuildError(
      `the '${variant}' variant rebuilds std with atomics (-Z build-std), which needs the Rust ` +
        `standard library's sources, missing from the rustup toolchain ${sysroot ?? '(unknown)'}: ` +
        'run `rustup component add rust-src` (or build only the others: --variant simd, --variant scalar)',
    );
  }
  return {
    ...toolchain,
    env: { ...toolchain.env, RUSTC_BOOTSTRAP: '1' },
    buildArgs: [...toolchain.buildArgs, '-Z', 'build-std=std,panic_abort'],
  };
}

/** The exact wasm-bindgen version crates/wasm/Cargo.toml pins (`wasm-bindgen = "=X.Y.Z"`). */
function pinnedBindgenVersion() {
  const toml = readFileSync(join(CRATE_DIR, 'Cargo.toml'), 'utf8');
  const m = /^wasm-bindgen\s*=\s*(?:"=([^"]+)"|\{[^}]*version\s*=\s*"=([^"]+)")/m.exec(toml);
  if (!m) throw new BuildError('crates/wasm/Cargo.toml must pin wasm-bindgen to an exact version ("=X.Y.Z")');
  return m[1] ?? m[2];
}

function findBindgen(version) {
  const install = `cargo install wasm-bindgen-cli --version =${version}`;
  const bin = which('wasm-bindgen', [join(homedir(), '.cargo', 'bin')]);
  if (!bin) throw new BuildError(`wasm-bindgen CLI not found on PATH or in ~/.cargo/bin: run \`${install}\``);
  const r = probe(bin, ['--version']);
  const found = r?.stdout.trim().split(/\s+/)[1];
  if (found !== version) {
    throw new BuildError(
      `${bin} is version ${found ?? '(unknown)'}, but crates/wasm pins wasm-bindgen =${version}; ` +
        `they must match exactly: run \`${install} --force\``,
    );
  }
  return bin;
}

function listFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)],
  );
}

/** Every file whose change should trigger a rebuild. */
function sourceFiles() {
  return [
    fileURLToPath(import.meta.url),
    join(CRATE_DIR, 'Cargo.toml'),
    join(CRATE_DIR, 'Cargo.lock'),
    join(KERNELS_DIR, 'Cargo.toml'),
    join(CONTRACT_DIR, 'Cargo.toml'),
    ...listFiles(join(CRATE_DIR, 'src')),
    ...listFiles(join(KERNELS_DIR, 'src')),
    ...listFiles(join(CONTRACT_DIR, 'src')),
  ].filter((f) => existsSync(f));
}

function newestMtime(files) {
  return Math.max(...files.map((f) => statSync(f).mtimeMs));
}

/** Why the variant must be rebuilt, or null when its outputs are newer than every source. */
function staleReason(outDir, config, sources) {
  const outputs = [`${OUT_NAME}.js`, `${OUT_NAME}_bg.wasm`, 'build-info.json'].map((f) => join(outDir, f));
  const missing = outputs.find((f) => !existsSync(f));
  if (missing) return `${relative(ROOT, missing)} missing`;
  let info;
  try {
    info = JSON.parse(readFileSync(join(outDir, 'build-info.json'), 'utf8'));
  } catch {
    return 'build-info.json unreadable';
  }
  if (JSON.stringify(info.config) !== JSON.stringify(config)) return 'build configuration changed';
  const oldestOutput = Math.min(...outputs.map((f) => statSync(f).mtimeMs));
  if (newestMtime(sources) > oldestOutput) return 'sources changed';
  return null;
}

/**
 * Loads the generated glue in a child Node process, instantiates it with `initSync` and checks
 * that the build reports the expected simd128 flag and turns a kernel error into a JS Error.
 * Returns null when all is well, else what went wrong.
 */
function smokeTest(outDir, expectSimd, expectPool) {
  const glueUrl = pathToFileURL(join(outDir, `${OUT_NAME}.js`)).href;
  const wasmPath = join(outDir, `${OUT_NAME}_bg.wasm`);
  // The pool's worker script (imported by the threads glue) waits for its start message on
  // `self`, which Node lacks: a stand-in that never delivers one.
  const workerScope = expectPool ? 'globalThis.self ??= { addEventListener() {}, removeEventListener() {} };' : '';
  const script = `
    import { readFileSync } from 'node:fs';
    ${workerScope}
    const glue = await import(${JSON.stringify(glueUrl)});
    glue.initSync({ module: readFileSync(${JSON.stringify(wasmPath)}) });
    if (glue.simd128() !== ${expectSimd}) throw new Error('simd128() is ' + glue.simd128() + ', expected ${expectSimd}');
    if ((typeof glue.initThreadPool === 'function') !== ${expectPool}) throw new Error('initThreadPool export: expected ${expectPool}');
    // Without initThreadPool (Node has no Web Workers), rayon falls back to this one thread.
    if (glue.availableThreads() !== 1) throw new Error('availableThreads() is ' + glue.availableThreads() + ', expected 1');
    const p = glue.allocF32(4);
    const [a, b] = [{ ptr: p, length: 2 }, { ptr: p + 8, length: 2 }];
    let error = null;
    try {
      glue.gemm({ transA: false, transB: false, m: 2, n: 2, k: 1, alpha: 1, a, b, beta: 0, c: { ptr: p, length: 4 }, threads: 1 });
    } catch (e) { error = e; }
    if (!(error instanceof Error) || !error.message.includes('overlaps') || error.code !== 'ArgumentError') {
      throw new Error('no coded kernel error, got ' + String(error));
    }
    glue.freeF32(p, 4);
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  if (r.status === 0) return null;
  return (r.error?.message ?? r.stderr ?? '').trim().split('\n').find((l) => /^[A-Za-z]*Error\b/.test(l)) ?? `exit ${r.status}`;
}

function buildVariant(variant, { toolchain, bindgen, wasmOpt, bindgenVersion, force }) {
  const spec = VARIANTS[variant];
  const outDir = join(OUT_ROOT, variant);
  const targetDir = join(ROOT, 'target', 'wasm', variant);
  const rustflags = [...spec.rustflags, ...toolchain.linkerFlags].join(' ');
  const features = spec.cargoFeatures ?? [];
  const config = {
    variant,
    toolchain: toolchain.name,
    rustflags,
    ...(features.length > 0 ? { features } : {}),
    wasmBindgen: bindgenVersion,
    wasmOpt: wasmOpt ? [...WASM_OPT_BASE_FEATURES, ...spec.wasmOptFeatures] : null,
  };

  const reason = force ? 'forced' : staleReason(outDir, config, sourceFiles());
  if (!reason) {
    console.log(`[build-wasm] ${variant}: up to date (${relative(ROOT, outDir)})`);
    return { variant, skipped: true };
  }
  console.log(`[build-wasm] ${variant}: building (${reason}), toolchain ${toolchain.name}`);
  const started = Date.now();

  // 1. cargo, the crate's release profile (CARGO_BUILD_JOBS=1 keeps it to one core).
  const env = { ...process.env, ...toolchain.env, RUSTFLAGS: rustflags };
  delete env.CARGO_ENCODED_RUSTFLAGS;
  delete env.CARGO_BUILD_TARGET;
  if (toolchain.name === 'debian') delete env.RUSTUP_TOOLCHAIN;
  run(
    toolchain.cargo,
    [
      'build',
      '--release',
      '--manifest-path',
      join(CRATE_DIR, 'Cargo.toml'),
      '--target',
      TARGET,
      '--target-dir',
      targetDir,
      ...(features.length > 0 ? ['--features', features.join(',')] : []),
      ...toolchain.buildArgs,
    ],
    { env },
  );
  const cargoSeconds = (Date.now() - started) / 1000;
  const rawWasm = join(targetDir, TARGET, 'release', `${CRATE_FILE}.wasm`);
  if (!existsSync(rawWasm)) throw new BuildError(`cargo finished but ${rawWasm} is missing`);

  // 2. wasm-opt (optional), on cargo's output *before* wasm-bindgen: binaryen releases before
  //    ~2023 (Debian 12 ships 108) rewrite wasm-bindgen's externref table export to point at the
  //    funcref table, so optimizing bindgen's output breaks instantiation. A failure, or a result
  //    that fails the smoke test below, falls back to the unoptimized module.
  let optimized = false;
  let bindgenInput = rawWasm;
  if (wasmOpt) {
    const optWasm = join(targetDir, `${CRATE_FILE}.opt.wasm`);
    const args = ['-O3', ...WASM_OPT_BASE_FEATURES, ...spec.wasmOptFeatures, rawWasm, '-o', optWasm];
    console.log(`  $ ${wasmOpt} ${args.join(' ')}`);
    const r = spawnSync(wasmOpt, args, { encoding: 'utf8' });
    if (r.status === 0) {
      bindgenInput = optWasm;
      optimized = true;
    } else {
      const why = (r.error?.message ?? r.stderr ?? '').trim().split('\n').slice(0, 3).join(' | ');
      console.warn(`[build-wasm] ${variant}: wasm-opt failed, using cargo's output as is: ${why}`);
    }
  }

  // 3. wasm-bindgen: ESM glue for browsers (`init(url)`, `initSync({ module })`).
  const bindgenInto = (input) => {
    rmSync(outDir, { recursive: true, force: true });
    mkdirSync(outDir, { recursive: true });
    run(bindgen, ['--target', 'web', '--out-dir', outDir, '--out-name', OUT_NAME, input]);
  };
  bindgenInto(bindgenInput);
  const outWasm = join(outDir, `${OUT_NAME}_bg.wasm`);

  // 4. Smoke test: instantiate through the glue, check the simd128 flag and a thrown error.
  const expectPool = features.includes('threads');
  let smoke = smokeTest(outDir, spec.simd, expectPool);
  if (smoke && optimized) {
    console.warn(`[build-wasm] ${variant}: the wasm-opt output fails the smoke test (${smoke}); using cargo's output as is`);
    optimized = false;
    bindgenInto(rawWasm);
    smoke = smokeTest(outDir, spec.simd, expectPool);
  }
  if (smoke) throw new BuildError(`${variant}: ${relative(ROOT, outWasm)} fails the smoke test: ${smoke}`);
  const rawBytes = statSync(rawWasm).size;

  const bytes = statSync(outWasm).size;
  const seconds = (Date.now() - started) / 1000;
  writeFileSync(
    join(outDir, 'build-info.json'),
    JSON.stringify(
      { config, builtAt: new Date().toISOString(), cargoSeconds, seconds, rawBytes, bytes, optimized },
      null,
      2,
    ) + '\n',
  );
  console.log(
    `[build-wasm] ${variant}: ${relative(ROOT, outWasm)} ${(bytes / 1024).toFixed(1)} KiB` +
      ` (cargo's ${(rawBytes / 1024).toFixed(1)} KiB${optimized ? ', wasm-opt -O3' : ''}, wasm-bindgen)` +
      `, cargo ${cargoSeconds.toFixed(1)} s, total ${seconds.toFixed(1)} s`,
  );
  return { variant, skipped: false, bytes, seconds };
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync(join(CRATE_DIR, 'Cargo.toml'))) throw new BuildError(`${CRATE_DIR}/Cargo.toml not found`);
  const toolchain = chooseToolchain();
  const bindgenVersion = pinnedBindgenVersion();
  const bindgen = findBindgen(bindgenVersion);
  let wasmOpt = null;
  if (opts.opt) {
    wasmOpt = which('wasm-opt');
    if (!wasmOpt) console.log('[build-wasm] wasm-opt not found (apt-get install binaryen): skipping the -O3 pass');
  }
  for (const variant of opts.variants) {
    buildVariant(variant, { toolchain: toolchainFor(toolchain, variant), bindgen, wasmOpt, bindgenVersion, force: opts.force });
  }
}

try {
  main();
} catch (err) {
  if (err instanceof BuildError) {
    console.error(`[build-wasm] error: ${err.message}`);
    process.exit(1);
  }
  throw err;
}
