/**
 * Loads dlp's WebAssembly kernels (crates/wasm, built by `scripts/build-wasm.mjs` into
 * `packages/core/wasm/<variant>/`): wasm-bindgen's `--target web` glue plus its `.wasm`.
 *
 * Two variants: `simd` (compiled with simd128: gemm's micro-kernels and dlp's own kernels use
 * it) and `scalar`. The default is `simd` where the engine validates SIMD code, else `scalar`;
 * `DLP_WASM_SIMD=0` in the environment forces `scalar` (to measure what SIMD buys). Caveat: the `scalar` build runs
 * scalar kernels but still contains the `gemm` crate's simd128 micro-kernels (compiled with a
 * per-function `target_feature`, picked at run time), so an engine without SIMD rejects it too.
 *
 * Tensors live in the module's memory: `allocF32` returns a byte pointer, data is read and
 * written through `new Float32Array(memory().buffer, ptr, length)`, and kernels take pointers,
 * so a call copies nothing. Any allocation may grow the memory, which detaches earlier
 * `ArrayBuffer`s: re-create views from `memory().buffer` after allocating.
 *
 * No static `node:` imports, so this module also loads in browsers; Node built-ins are reached
 * through `process.getBuiltinModule` (Node >= 20.16, see node-builtins.ts).
 */
import { ArgumentError, BackendUnavailableError } from '../../errors.js';
import { corePackageRoot, isNode, nodeBuiltins, type NodeBuiltins } from '../../node-builtins.js';
import type {
  BatchNormBackwardArgs,
  BatchNormInferenceArgs,
  BatchNormTrainArgs,
  LayerNormArgs,
  LayerNormBackwardArgs,
} from '../../kernels/norm-args.js';
import type { AdamStepArgs, SgdStepArgs } from '../../kernels/optim-args.js';
import type { Conv2dArgs, Conv2dBackwardInputArgs, Conv2dBackwardWeightArgs, Conv2dGeometry, MaxPool2dArgs, MaxPool2dBackwardArgs, MaxPool2dGeometry } from '../../kernels/conv-args.js';
import type { WithBuffers } from '../../kernels/with-buffers.js';

export type WasmVariant = 'simd' | 'scalar';

/** The binding's GEMM: sizes, scalars and byte pointers into wasm memory (see WasmKernels.sgemm). */
export type SgemmOnPointers = (
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  aPtr: number,
  bPtr: number,
  beta: number,
  cPtr: number,
) => void;

/** A buffer in wasm memory: its byte pointer (from `allocF32`) and element count. */
export interface WasmBuffer {
  readonly ptr: number;
  readonly length: number;
}

/**
 * The module's kernels. Except `sgemm` (bare pointers), each takes its buffers as WasmBuffers,
 * so the kernel checks every length itself. Each throws an `Error` with the kernel's message on
 * wrong lengths and on outputs sharing memory with inputs; an output may be its input only
 * where the kernel says so (biasAdd's out = x, elu's out = x, eluBackward's dx = dout).
 */
export interface WasmKernels {
  readonly variant: WasmVariant;
  /** The module's memory; every pointer is a byte offset into it. */
  memory(): WebAssembly.Memory;
  /** Allocates `length` zeroed f32 and returns the byte pointer. */
  allocF32(length: number): number;
  /** Frees a buffer from `allocF32`, with the length it was allocated with. */
  freeF32(ptr: number, length: number): void;
  /**
   * C = alpha·op(A)·op(B) + beta·C, row-major, single thread: A is m×k (k×m when `transA`),
   * B is k×n (n×k when `transB`), C is m×n, each a pointer from `allocF32`. Throws an `Error`
   * with the kernel's message on wrong sizes, and when C overlaps A or B.
   */
  sgemm: SgemmOnPointers;
  /** out[r][c] = x[r][c] + bias[c] over rows×cols; out may be x. */
  biasAdd(x: WasmBuffer, bias: WasmBuffer, out: WasmBuffer, rows: number, cols: number): void;
  /** out[c] = beta·out[c] + Σ_r x[r][c]. */
  columnSum(x: WasmBuffer, out: WasmBuffer, rows: number, cols: number, beta: number): void;
  /** out = x > 0 ? x : alpha·(eˣ − 1); out may be x. */
  elu(x: WasmBuffer, out: WasmBuffer, alpha: number): void;
  /** dx = dout · (x > 0 ? 1 : alpha·eˣ); dx may be dout. */
  eluBackward(x: WasmBuffer, dout: WasmBuffer, dx: WasmBuffer, alpha: number): void;
  /** Row-wise softmax of rows×cols. */
  softmax(x: WasmBuffer, out: WasmBuffer, rows: number, cols: number): void;
  /** dx = s ∘ (dout − rowwise Σ dout·s). */
  softmaxBackward(s: WasmBuffer, dout: WasmBuffer, dx: WasmBuffer, rows: number, cols: number): void;
  /** −(1/rows)·Σ t·ln p, t = 0 skipped. */
  crossEntropy(probs: WasmBuffer, targets: WasmBuffer, rows: number, cols: number): number;
  /** dprobs = −t / (p·rows), 0 where t = 0. */
  crossEntropyBackward(probs: WasmBuffer, targets: WasmBuffer, dprobs: WasmBuffer, rows: number, cols: number): void;
  /** Fused softmax + cross-entropy: the mean loss; fills dlogits = (softmax − onehot)/rows and probs when given. */
  softmaxCrossEntropy(
    logits: WasmBuffer,
    labels: Int32Array,
    rows: number,
    cols: number,
    dlogits?: WasmBuffer,
    probs?: WasmBuffer,
  ): number;
  /** param −= lr·grad. */
  sgdUpdate(param: WasmBuffer, grad: WasmBuffer, lr: number): void;
  // Autograd ops (crates/wasm/src/tensor_ops.rs; semantics in kernels/tensor-op-args.ts).
  // Ops by name; shapes and strides as number arrays (each checked to be a non-negative integer).
  /** out = op(x); out may be x. */
  unary(op: string, x: WasmBuffer, out: WasmBuffer): void;
  /** dx = dout·op'(x) from input x and output y; dx may be dout. */
  unaryBackward(op: string, x: WasmBuffer, y: WasmBuffer, dout: WasmBuffer, dx: WasmBuffer): void;
  /** out = a op b over `shape`, operands through their strides; out may be a row-major a or b. */
  binary(
    op: string,
    shape: readonly number[],
    a: WasmBuffer,
    aStrides: readonly number[],
    b: WasmBuffer,
    bStrides: readonly number[],
    out: WasmBuffer,
  ): void;
  /** out (row-major) = x read through `strides`. */
  copyStrided(shape: readonly number[], x: WasmBuffer, strides: readonly number[], out: WasmBuffer): void;
  /** out = beta·out + Σ of x over the axes flagged true. */
  reduceSum(x: WasmBuffer, shape: readonly number[], axes: readonly boolean[], out: WasmBuffer, beta: number): void;
  /** Max along the middle axis of [outer, size, inner]; the argmax is copied back into `indices`. */
  maxAlong(x: WasmBuffer, outer: number, size: number, inner: number, out: WasmBuffer, indices: Int32Array): void;
  /** dx = 0, then dout routed to the argmax positions. */
  maxAlongBackward(dout: WasmBuffer, indices: Int32Array, outer: number, size: number, inner: number, dx: WasmBuffer): void;
  /** Row log-softmax. */
  logSoftmax(x: WasmBuffer, out: WasmBuffer, rows: number, cols: number): void;
  /** dx = dout − exp(y)·rowwise Σ dout; dx may be dout. */
  logSoftmaxBackward(y: WasmBuffer, dout: WasmBuffer, dx: WasmBuffer, rows: number, cols: number): void;
  /** −(1/rows)·Σ logp[r][labels[r]]. */
  nllLoss(logp: WasmBuffer, labels: Int32Array, rows: number, cols: number): number;
  /** dlogp = −scale/rows at the labels, 0 elsewhere. */
  nllLossBackward(labels: Int32Array, rows: number, cols: number, scale: number, dlogp: WasmBuffer): void;
  /** y += alpha·x. */
  axpy(x: WasmBuffer, y: WasmBuffer, alpha: number): void;
  // Normalisation and optimisers (crates/wasm/src/norm_optim.rs; semantics in kernels/norm-args.ts
  // and kernels/optim-args.ts): the kernel's own arguments, each storage as a WasmBuffer.
  batchNormTrain(args: WithBuffers<BatchNormTrainArgs, WasmBuffer>): void;
  batchNormInference(args: WithBuffers<BatchNormInferenceArgs, WasmBuffer>): void;
  batchNormBackward(args: WithBuffers<BatchNormBackwardArgs, WasmBuffer>): void;
  layerNorm(args: WithBuffers<LayerNormArgs, WasmBuffer>): void;
  layerNormBackward(args: WithBuffers<LayerNormBackwardArgs, WasmBuffer>): void;
  sgdStep(args: WithBuffers<SgdStepArgs, WasmBuffer>): void;
  adamStep(args: WithBuffers<AdamStepArgs, WasmBuffer>): void;
  // Convolution and max pooling (crates/wasm/src/conv.rs; kernels/conv-args.ts), as above.
  conv2d(args: WithBuffers<Conv2dArgs, WasmBuffer>): void;
  conv2dBackwardInput(args: WithBuffers<Conv2dBackwardInputArgs, WasmBuffer>): void;
  conv2dBackwardWeight(args: WithBuffers<Conv2dBackwardWeightArgs, WasmBuffer>): void;
  maxPool2d(args: WithBuffers<MaxPool2dArgs, WasmBuffer>): void;
  maxPool2dBackward(args: WithBuffers<MaxPool2dBackwardArgs, WasmBuffer>): void;
}

export interface LoadWasmOptions {
  /** Which build to load; default: `simd` when supported (and DLP_WASM_SIMD is not 0). */
  variant?: WasmVariant;
}

export interface LoadWasmAsyncOptions extends LoadWasmOptions {
  /**
   * Base URL of the folder holding `simd/` and `scalar/` (e.g. `/wasm/` where a web app serves
   * a copy of packages/core/wasm). Default: this package's own `wasm/` folder.
   */
  url?: string | URL;
}

/** What this module uses of wasm-bindgen's `--target web` glue (dlp_wasm.js). */
interface WasmGlue {
  default(input?: { module_or_path: BufferSource | WebAssembly.Module | URL | string }): Promise<unknown>;
  initSync(input: { module: BufferSource | WebAssembly.Module }): unknown;
  alloc_f32(len: number): number;
  free_f32(ptr: number, len: number): void;
  sgemm: SgemmOnPointers;
  // The other kernels take (pointer, length) per buffer, then sizes and scalars.
  bias_add(xp: number, xn: number, bp: number, bn: number, op: number, on: number, rows: number, cols: number): void;
  column_sum(xp: number, xn: number, op: number, on: number, rows: number, cols: number, beta: number): void;
  elu(xp: number, xn: number, op: number, on: number, alpha: number): void;
  elu_backward(xp: number, xn: number, gp: number, gn: number, dp: number, dn: number, alpha: number): void;
  softmax(xp: number, xn: number, op: number, on: number, rows: number, cols: number): void;
  softmax_backward(sp: number, sn: number, gp: number, gn: number, dp: number, dn: number, rows: number, cols: number): void;
  cross_entropy(pp: number, pn: number, tp: number, tn: number, rows: number, cols: number): number;
  cross_entropy_backward(pp: number, pn: number, tp: number, tn: number, dp: number, dn: number, rows: number, cols: number): void;
  softmax_cross_entropy(
    lp: number, ln: number, labels: Int32Array, rows: number, cols: number,
    dp: number | undefined, dn: number, pp: number | undefined, pn: number,
  ): number;
  sgd_update(pp: number, pn: number, gp: number, gn: number, lr: number): void;
  // Autograd ops: shapes/strides as Float64Array, axis flags as Uint8Array, indices as Int32Array
  // (`max_along` copies its indices back into the array it was given).
  unary(op: string, xp: number, xn: number, op_: number, on: number): void;
  unary_backward(op: string, xp: number, xn: number, yp: number, yn: number, gp: number, gn: number, dp: number, dn: number): void;
  binary(
    op: string, shape: Float64Array, ap: number, an: number, as: Float64Array,
    bp: number, bn: number, bs: Float64Array, op_: number, on: number,
  ): void;
  copy_strided(shape: Float64Array, xp: number, xn: number, strides: Float64Array, op: number, on: number): void;
  reduce_sum(xp: number, xn: number, shape: Float64Array, axes: Uint8Array, op: number, on: number, beta: number): void;
  max_along(xp: number, xn: number, outer: number, size: number, inner: number, op: number, on: number, indices: Int32Array): void;
  max_along_backward(gp: number, gn: number, indices: Int32Array, outer: number, size: number, inner: number, dp: number, dn: number): void;
  log_softmax(xp: number, xn: number, op: number, on: number, rows: number, cols: number): void;
  log_softmax_backward(yp: number, yn: number, gp: number, gn: number, dp: number, dn: number, rows: number, cols: number): void;
  nll_loss(lp: number, ln: number, labels: Int32Array, rows: number, cols: number): number;
  nll_loss_backward(labels: Int32Array, rows: number, cols: number, scale: number, dp: number, dn: number): void;
  axpy(xp: number, xn: number, yp: number, yn: number, alpha: number): void;
  // Normalisation and optimisers: (pointer, length) per buffer in the kernel's argument order,
  // the pointer undefined for an absent optional buffer.
  batch_norm_train(...args: GlueArgs): void;
  batch_norm_inference(...args: GlueArgs): void;
  batch_norm_backward(...args: GlueArgs): void;
  layer_norm(...args: GlueArgs): void;
  layer_norm_backward(...args: GlueArgs): void;
  sgd_step(...args: GlueArgs): void;
  adam_step(...args: GlueArgs): void;
  // Convolution and pooling: buffers as above, then the geometry's fields (conv-args.ts' order) as a Uint32Array.
  conv2d(...args: Array<number | undefined | Uint32Array>): void;
  conv2d_backward_input(...args: Array<number | Uint32Array>): void;
  conv2d_backward_weight(...args: Array<number | undefined | Uint32Array>): void;
  max_pool2d(...args: Array<number | Int32Array | Uint32Array>): void;
  max_pool2d_backward(...args: Array<number | Int32Array | Uint32Array>): void;
  simd128(): boolean;
  /** The memory (not `memory`: that name is the module's own memory export). */
  wasm_memory(): WebAssembly.Memory;
}

const GLUE_FILE = 'dlp_wasm.js';
const WASM_FILE = 'dlp_wasm_bg.wasm';
const BUILD_COMMAND = 'pnpm --filter @dlp/core build:wasm';

/**
 * The smallest module using a v128 op: `(func (result v128) i32.const 0 i8x16.splat
 * i8x16.popcnt)`. Engines without SIMD reject it at validation.
 */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

let simdSupported: boolean | undefined;

/** Whether this engine supports WebAssembly SIMD (simd128). */
export function wasmSimdSupported(): boolean {
  if (simdSupported === undefined) {
    try {
      simdSupported = typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
    } catch {
      simdSupported = false;
    }
  }
  return simdSupported;
}

/**
 * One instance per glue file per process (the glue keeps its instance in a module global), keyed
 * by the glue's URL: sync and async loads of the same build share it.
 */
const loaded = new Map<string, WasmKernels>();
const loading = new Map<string, Promise<WasmKernels>>();

/** Loads a variant synchronously (Node only): reads the files from this package's wasm/ folder. */
export function loadWasmKernelsSync(options: LoadWasmOptions = {}): WasmKernels {
  const variant = chooseVariant(options.variant);
  if (!isNode()) {
    throw new BackendUnavailableError(
      'wasm backend: loadWasmKernelsSync reads files, which only Node can; in browsers use `await loadWasmKernels({ url })`',
    );
  }
  const node = nodeBuiltins('loadWasmKernelsSync');
  const dir = node.path.join(corePackageRoot(node), 'wasm', variant);
  const gluePath = node.path.join(dir, GLUE_FILE);
  const key = node.url.pathToFileURL(gluePath).href;
  const cached = loaded.get(key);
  if (cached) return cached;
  const wasmPath = node.path.join(dir, WASM_FILE);
  requireBuilt(node, variant, [gluePath, wasmPath]);
  // An ES module loaded synchronously: require(esm), on by default since Node 20.19 / 22.12.
  const require = node.module.createRequire(gluePath);
  let glue: WasmGlue;
  try {
    glue = require(gluePath) as WasmGlue;
  } catch (err) {
    throw new BackendUnavailableError(
      `wasm backend: cannot load ${gluePath} synchronously (${errorMessage(err)}); ` +
        'it needs Node >= 20.19 (require of ES modules), or use `await loadWasmKernels()`',
    );
  }
  try {
    glue.initSync({ module: node.fs.readFileSync(wasmPath) });
  } catch (err) {
    throw new BackendUnavailableError(
      `wasm backend: cannot instantiate ${wasmPath} (${errorMessage(err)}); rebuild it with \`${BUILD_COMMAND}\``,
    );
  }
  return remember(key, wrap(variant, glue));
}

/** Loads a variant: in Node from this package's files (or `url`), in browsers by fetching `url`. */
export async function loadWasmKernels(options: LoadWasmAsyncOptions = {}): Promise<WasmKernels> {
  const variant = chooseVariant(options.variant);
  const node = isNode() ? nodeBuiltins('loadWasmKernels') : undefined;
  const base = baseUrl(options.url, node);
  const glueUrl = new URL(`${variant}/${GLUE_FILE}`, base);
  const key = glueUrl.href;
  const cached = loaded.get(key);
  if (cached) return cached;
  let pending = loading.get(key);
  if (!pending) {
    pending = loadAsync(variant, base, node).finally(() => loading.delete(key));
    loading.set(key, pending);
  }
  return pending;
}

async function loadAsync(variant: WasmVariant, base: URL, node: NodeBuiltins | undefined): Promise<WasmKernels> {
  const glueUrl = new URL(`${variant}/${GLUE_FILE}`, base);
  const wasmUrl = new URL(`${variant}/${WASM_FILE}`, base);
  let wasmInput: BufferSource | URL = wasmUrl;
  if (node && glueUrl.protocol === 'file:') {
    // Node's fetch does not read file: URLs, so hand the glue the bytes.
    const gluePath = node.url.fileURLToPath(glueUrl);
    const wasmPath = node.url.fileURLToPath(wasmUrl);
    requireBuilt(node, variant, [gluePath, wasmPath]);
    wasmInput = node.fs.readFileSync(wasmPath);
  }
  let glue: WasmGlue;
  try {
    glue = (await import(/* @vite-ignore */ glueUrl.href)) as WasmGlue;
  } catch (err) {
    throw new BackendUnavailableError(
      `wasm backend: cannot load ${glueUrl.href} (${errorMessage(err)}); ` +
        `build it with \`${BUILD_COMMAND}\` and serve packages/core/wasm/ at ${base.href}`,
    );
  }
  try {
    await glue.default({ module_or_path: wasmInput });
  } catch (err) {
    throw new BackendUnavailableError(
      `wasm backend: cannot instantiate ${wasmUrl.href} (${errorMessage(err)}); ` +
        `rebuild it with \`${BUILD_COMMAND}\``,
    );
  }
  return remember(glueUrl.href, wrap(variant, glue));
}

function remember(key: string, kernels: WasmKernels): WasmKernels {
  const existing = loaded.get(key);
  if (existing) return existing;
  loaded.set(key, kernels);
  return kernels;
}

function chooseVariant(requested: WasmVariant | undefined): WasmVariant {
  if (requested !== undefined) {
    if (requested !== 'simd' && requested !== 'scalar') {
      throw new ArgumentError(`wasm backend: variant must be 'simd' or 'scalar', got ${String(requested)}`);
    }
    if (requested === 'simd' && !wasmSimdSupported()) {
      throw new BackendUnavailableError(
        "wasm backend: variant 'simd' needs WebAssembly SIMD, which this engine lacks; use 'scalar'",
      );
    }
    return requested;
  }
  if (envValue('DLP_WASM_SIMD') === '0') return 'scalar';
  return wasmSimdSupported() ? 'simd' : 'scalar';
}

/** Wraps the glue, checking sizes and pointers are integers (wasm-bindgen would wrap them). */
function wrap(variant: WasmVariant, glue: WasmGlue): WasmKernels {
  if (glue.simd128() !== (variant === 'simd')) {
    throw new BackendUnavailableError(
      `wasm backend: the '${variant}' build reports simd128=${String(glue.simd128())}; ` +
        `rebuild it with \`${BUILD_COMMAND} --force\``,
    );
  }
  return {
    variant,
    memory: () => glue.wasm_memory(),
    allocF32(length) {
      return glue.alloc_f32(index('allocF32', 'length', length));
    },
    freeF32(ptr, length) {
      glue.free_f32(index('freeF32', 'ptr', ptr), index('freeF32', 'length', length));
    },
    sgemm(transA, transB, m, n, k, alpha, aPtr, bPtr, beta, cPtr) {
      glue.sgemm(
        transA,
        transB,
        index('sgemm', 'm', m),
        index('sgemm', 'n', n),
        index('sgemm', 'k', k),
        alpha,
        index('sgemm', 'aPtr', aPtr),
        index('sgemm', 'bPtr', bPtr),
        beta,
        index('sgemm', 'cPtr', cPtr),
      );
    },
    biasAdd(x, bias, out, rows, cols) {
      const f = 'biasAdd';
      glue.bias_add(...buffer(f, 'x', x), ...buffer(f, 'bias', bias), ...buffer(f, 'out', out), ...dims(f, rows, cols));
    },
    columnSum(x, out, rows, cols, beta) {
      const f = 'columnSum';
      glue.column_sum(...buffer(f, 'x', x), ...buffer(f, 'out', out), ...dims(f, rows, cols), beta);
    },
    elu(x, out, alpha) {
      glue.elu(...buffer('elu', 'x', x), ...buffer('elu', 'out', out), alpha);
    },
    eluBackward(x, dout, dx, alpha) {
      const f = 'eluBackward';
      glue.elu_backward(...buffer(f, 'x', x), ...buffer(f, 'dout', dout), ...buffer(f, 'dx', dx), alpha);
    },
    softmax(x, out, rows, cols) {
      const f = 'softmax';
      glue.softmax(...buffer(f, 'x', x), ...buffer(f, 'out', out), ...dims(f, rows, cols));
    },
    softmaxBackward(s, dout, dx, rows, cols) {
      const f = 'softmaxBackward';
      glue.softmax_backward(...buffer(f, 's', s), ...buffer(f, 'dout', dout), ...buffer(f, 'dx', dx), ...dims(f, rows, cols));
    },
    crossEntropy(probs, targets, rows, cols) {
      const f = 'crossEntropy';
      return glue.cross_entropy(...buffer(f, 'probs', probs), ...buffer(f, 'targets', targets), ...dims(f, rows, cols));
    },
    crossEntropyBackward(probs, targets, dprobs, rows, cols) {
      const f = 'crossEntropyBackward';
      glue.cross_entropy_backward(
        ...buffer(f, 'probs', probs),
        ...buffer(f, 'targets', targets),
        ...buffer(f, 'dprobs', dprobs),
        ...dims(f, rows, cols),
      );
    },
    softmaxCrossEntropy(logits, labels, rows, cols, dlogits, probs) {
      const f = 'softmaxCrossEntropy';
      const optional = (name: string, b: WasmBuffer | undefined): [number | undefined, number] =>
        b === undefined ? [undefined, 0] : buffer(f, name, b);
      return glue.softmax_cross_entropy(
        ...buffer(f, 'logits', logits),
        labels,
        ...dims(f, rows, cols),
        ...optional('dlogits', dlogits),
        ...optional('probs', probs),
      );
    },
    sgdUpdate(param, grad, lr) {
      glue.sgd_update(...buffer('sgdUpdate', 'param', param), ...buffer('sgdUpdate', 'grad', grad), lr);
    },
    unary(op, x, out) {
      glue.unary(op, ...buffer('unary', 'x', x), ...buffer('unary', 'out', out));
    },
    unaryBackward(op, x, y, dout, dx) {
      const f = 'unaryBackward';
      glue.unary_backward(op, ...buffer(f, 'x', x), ...buffer(f, 'y', y), ...buffer(f, 'dout', dout), ...buffer(f, 'dx', dx));
    },
    binary(op, shape, a, aStrides, b, bStrides, out) {
      const f = 'binary';
      const [as, bs] = [Float64Array.from(aStrides), Float64Array.from(bStrides)];
      glue.binary(op, Float64Array.from(shape), ...buffer(f, 'a', a), as, ...buffer(f, 'b', b), bs, ...buffer(f, 'out', out));
    },
    copyStrided(shape, x, strides, out) {
      const f = 'copy';
      glue.copy_strided(Float64Array.from(shape), ...buffer(f, 'x', x), Float64Array.from(strides), ...buffer(f, 'out', out));
    },
    reduceSum(x, shape, axes, out, beta) {
      const f = 'reduceSum';
      const flags = Uint8Array.from(axes, Number);
      glue.reduce_sum(...buffer(f, 'x', x), Float64Array.from(shape), flags, ...buffer(f, 'out', out), beta);
    },
    maxAlong(x, outer, size, inner, out, indices) {
      const f = 'maxAlong';
      glue.max_along(...buffer(f, 'x', x), ...axis3(f, outer, size, inner), ...buffer(f, 'out', out), indices);
    },
    maxAlongBackward(dout, indices, outer, size, inner, dx) {
      const f = 'maxAlongBackward';
      glue.max_along_backward(...buffer(f, 'dout', dout), indices, ...axis3(f, outer, size, inner), ...buffer(f, 'dx', dx));
    },
    logSoftmax(x, out, rows, cols) {
      const f = 'logSoftmax';
      glue.log_softmax(...buffer(f, 'x', x), ...buffer(f, 'out', out), ...dims(f, rows, cols));
    },
    logSoftmaxBackward(y, dout, dx, rows, cols) {
      const f = 'logSoftmaxBackward';
      glue.log_softmax_backward(...buffer(f, 'y', y), ...buffer(f, 'dout', dout), ...buffer(f, 'dx', dx), ...dims(f, rows, cols));
    },
    nllLoss(logp, labels, rows, cols) {
      return glue.nll_loss(...buffer('nllLoss', 'logp', logp), labels, ...dims('nllLoss', rows, cols));
    },
    nllLossBackward(labels, rows, cols, scale, dlogp) {
      const f = 'nllLossBackward';
      glue.nll_loss_backward(labels, ...dims(f, rows, cols), scale, ...buffer(f, 'dlogp', dlogp));
    },
    axpy(x, y, alpha) {
      glue.axpy(...buffer('axpy', 'x', x), ...buffer('axpy', 'y', y), alpha);
    },
    ...normOptimKernels(glue),
    ...convKernels(glue),
  };
}

/** Arguments of the glue's normalisation and optimiser functions. */
type GlueArgs = Array<number | boolean | undefined>;

/** The normalisation and optimiser kernels over the glue, buffers flattened in argument order. */
function normOptimKernels(glue: WasmGlue): Pick<WasmKernels, NormOptimKernel> {
  return {
    batchNormTrain(a) {
      const f = 'batchNormTrain';
      const o = (name: string, b: WasmBuffer | undefined) => optionalBuffer(f, name, b);
      glue.batch_norm_train(
        ...buffer(f, 'x', a.x), ...axes3(f, a.outer, a.channels, a.inner), ...o('gamma', a.gamma), ...o('beta', a.beta), a.eps,
        ...buffer(f, 'out', a.out), ...buffer(f, 'mean', a.mean), ...buffer(f, 'invStd', a.invStd),
        ...o('runningMean', a.runningMean), ...o('runningVar', a.runningVar), a.momentum,
      );
    },
    batchNormInference(a) {
      const f = 'batchNormInference';
      glue.batch_norm_inference(
        ...buffer(f, 'x', a.x), ...axes3(f, a.outer, a.channels, a.inner), ...buffer(f, 'runningMean', a.runningMean),
        ...buffer(f, 'runningVar', a.runningVar), ...optionalBuffer(f, 'gamma', a.gamma), ...optionalBuffer(f, 'beta', a.beta),
        a.eps, ...buffer(f, 'out', a.out),
      );
    },
    batchNormBackward(a) {
      const f = 'batchNormBackward';
      const o = (name: string, b: WasmBuffer | undefined) => optionalBuffer(f, name, b);
      glue.batch_norm_backward(
        ...buffer(f, 'x', a.x), ...buffer(f, 'dout', a.dout), ...axes3(f, a.outer, a.channels, a.inner), ...buffer(f, 'mean', a.mean),
        ...buffer(f, 'invStd', a.invStd), ...o('gamma', a.gamma), ...o('dx', a.dx), ...o('dgamma', a.dgamma), ...o('dbeta', a.dbeta),
      );
    },
    layerNorm(a) {
      const f = 'layerNorm';
      glue.layer_norm(
        ...buffer(f, 'x', a.x), ...dims(f, a.rows, a.cols), ...optionalBuffer(f, 'gamma', a.gamma), ...optionalBuffer(f, 'beta', a.beta),
        a.eps, ...buffer(f, 'out', a.out), ...buffer(f, 'mean', a.mean), ...buffer(f, 'invStd', a.invStd),
      );
    },
    layerNormBackward(a) {
      const f = 'layerNormBackward';
      const o = (name: string, b: WasmBuffer | undefined) => optionalBuffer(f, name, b);
      glue.layer_norm_backward(
        ...buffer(f, 'x', a.x), ...buffer(f, 'dout', a.dout), ...dims(f, a.rows, a.cols), ...buffer(f, 'mean', a.mean),
        ...buffer(f, 'invStd', a.invStd), ...o('gamma', a.gamma), ...o('dx', a.dx), ...o('dgamma', a.dgamma), ...o('dbeta', a.dbeta),
      );
    },
    sgdStep(a) {
      const f = 'sgdStep';
      glue.sgd_step(
        ...buffer(f, 'param', a.param), ...buffer(f, 'grad', a.grad), ...optionalBuffer(f, 'momentumBuffer', a.momentumBuffer),
        a.lr, a.momentum, a.dampening, a.nesterov, a.weightDecay, a.firstStep,
      );
    },
    adamStep(a) {
      const f = 'adamStep';
      glue.adam_step(
        ...buffer(f, 'param', a.param), ...buffer(f, 'grad', a.grad), ...buffer(f, 'expAvg', a.expAvg),
        ...buffer(f, 'expAvgSq', a.expAvgSq), a.lr, a.beta1, a.beta2, a.eps, a.weightDecay, a.step,
      );
    },
  };
}

/** The convolution and pooling kernels over the glue: buffers in argument order, then the geometry. */
function convKernels(glue: WasmGlue): Pick<WasmKernels, 'conv2d' | 'conv2dBackwardInput' | 'conv2dBackwardWeight' | 'maxPool2d' | 'maxPool2dBackward'> {
  const fields = (f: string, values: number[]) => Uint32Array.from(values, (v) => index(f, 'geometry', v));
  const conv = (f: string, g: Conv2dGeometry) =>
    fields(f, [g.batch, g.inChannels, g.height, g.width, g.outChannels, g.kernelH, g.kernelW, g.strideH, g.strideW, g.padH, g.padW]);
  const pool = (f: string, g: MaxPool2dGeometry) =>
    fields(f, [g.batch, g.channels, g.height, g.width, g.kernelH, g.kernelW, g.strideH, g.strideW, g.padH, g.padW]);
  return {
    conv2d(a) {
      const f = 'conv2d';
      glue.conv2d(...buffer(f, 'x', a.x), ...buffer(f, 'weight', a.weight), ...optionalBuffer(f, 'bias', a.bias), ...buffer(f, 'out', a.out), conv(f, a));
    },
    conv2dBackwardInput(a) {
      const f = 'conv2dBackwardInput';
      glue.conv2d_backward_input(...buffer(f, 'dout', a.dout), ...buffer(f, 'weight', a.weight), ...buffer(f, 'dx', a.dx), conv(f, a));
    },
    conv2dBackwardWeight(a) {
      const f = 'conv2dBackwardWeight';
      glue.conv2d_backward_weight(
        ...buffer(f, 'x', a.x), ...buffer(f, 'dout', a.dout), ...buffer(f, 'dweight', a.dweight), ...optionalBuffer(f, 'dbias', a.dbias), conv(f, a),
      );
    },
    maxPool2d(a) {
      const f = 'maxPool2d';
      glue.max_pool2d(...buffer(f, 'x', a.x), ...buffer(f, 'out', a.out), a.indices, pool(f, a));
    },
    maxPool2dBackward(a) {
      const f = 'maxPool2dBackward';
      glue.max_pool2d_backward(...buffer(f, 'dout', a.dout), a.indices, ...buffer(f, 'dx', a.dx), pool(f, a));
    },
  };
}

type NormOptimKernel =
  | 'batchNormTrain' | 'batchNormInference' | 'batchNormBackward' | 'layerNorm' | 'layerNormBackward' | 'sgdStep' | 'adamStep';

/** An optional buffer's pointer and length: [undefined, 0] when absent (the binding's `None`). */
function optionalBuffer(fn: string, name: string, b: WasmBuffer | undefined): [number | undefined, number] {
  return b === undefined ? [undefined, 0] : buffer(fn, name, b);
}

/** BatchNorm's [outer, channels, inner], each checked to be a wasm32 usize. */
function axes3(fn: string, outer: number, channels: number, inner: number): [number, number, number] {
  return [index(fn, 'outer', outer), index(fn, 'channels', channels), index(fn, 'inner', inner)];
}

/** A matrix's rows and cols, both checked to be wasm32 usizes. */
function dims(fn: string, rows: number, cols: number): [number, number] {
  return [index(fn, 'rows', rows), index(fn, 'cols', cols)];
}

/** [outer, size, inner] of a max along the middle axis, each checked to be a wasm32 usize. */
function axis3(fn: string, outer: number, size: number, inner: number): [number, number, number] {
  return [index(fn, 'outer', outer), index(fn, 'size', size), index(fn, 'inner', inner)];
}

/** A buffer's pointer and length, both checked to be wasm32 usizes. */
function buffer(fn: string, name: string, b: WasmBuffer): [number, number] {
  return [index(fn, `${name} pointer`, b.ptr), index(fn, `${name} length`, b.length)];
}

/** A wasm32 usize: a non-negative integer below 2^32. */
function index(fn: string, name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
    throw new ArgumentError(`${fn}: ${name} must be an integer in [0, 2^32), got ${value}`);
  }
  return value;
}

function envValue(name: string): string | undefined {
  return typeof process === 'object' ? process.env?.[name] : undefined;
}

function baseUrl(url: string | URL | undefined, node: NodeBuiltins | undefined): URL {
  if (url !== undefined) {
    const href = String(url);
    const withSlash = href.endsWith('/') ? href : `${href}/`;
    const page = typeof location === 'object' ? location.href : undefined;
    return page === undefined ? new URL(withSlash) : new URL(withSlash, page);
  }
  if (node) return node.url.pathToFileURL(node.path.join(corePackageRoot(node), 'wasm') + node.path.sep);
  // Browser without a url: the package's wasm/ beside dist/ (bundled) or three levels above src/backends/wasm/.
  const here = import.meta.url;
  return new URL(here.includes('/src/backends/wasm/') ? '../../../wasm/' : '../wasm/', here);
}

function requireBuilt(node: NodeBuiltins, variant: WasmVariant, files: string[]): void {
  const missing = files.find((f) => !node.fs.existsSync(f));
  if (missing !== undefined) {
    throw new BackendUnavailableError(
      `wasm backend: ${missing} is missing (the '${variant}' build); build it with \`${BUILD_COMMAND}\``,
    );
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
