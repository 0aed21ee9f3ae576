/**
 * Loads the napi-rs addon (crates/node) built into packages/core/native/ by
 * `pnpm --filter @dlp/core build:native`, through the loader napi-rs generates.
 */

import { BackendUnavailableError } from '../../errors.js';
import { corePackageRoot, nodeBuiltins } from '../../node-builtins.js';

/**
 * The addon's functions (they mirror native/index.d.ts, generated from crates/node). Outputs are
 * written in place; an output may be its input only where the kernel says so (biasAdd's out = x,
 * elu's out = x, eluBackward's dx = dout), and any other shared memory throws. Wrong lengths
 * throw an Error with dlp-kernels' message.
 */
export interface NativeBinding {
  sgemm(
    transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
    a: Float32Array, b: Float32Array, beta: number, c: Float32Array, threads: number,
  ): void;
  biasAdd(x: Float32Array, bias: Float32Array, out: Float32Array, rows: number, cols: number): void;
  columnSum(x: Float32Array, out: Float32Array, rows: number, cols: number, beta: number): void;
  elu(x: Float32Array, out: Float32Array, alpha: number): void;
  eluBackward(x: Float32Array, dout: Float32Array, dx: Float32Array, alpha: number): void;
  softmax(x: Float32Array, out: Float32Array, rows: number, cols: number): void;
  softmaxBackward(s: Float32Array, dout: Float32Array, dx: Float32Array, rows: number, cols: number): void;
  /** The mean loss. */
  crossEntropy(probs: Float32Array, targets: Float32Array, rows: number, cols: number): number;
  crossEntropyBackward(probs: Float32Array, targets: Float32Array, dprobs: Float32Array, rows: number, cols: number): void;
  /** The mean loss; fills dlogits and probs when given. */
  softmaxCrossEntropy(
    logits: Float32Array, labels: Int32Array, rows: number, cols: number,
    dlogits?: Float32Array | null, probs?: Float32Array | null,
  ): number;
  sgdUpdate(param: Float32Array, grad: Float32Array, lr: number): void;
  gatherCenterU8(pixels: Uint8Array, indices: Uint32Array, mean: Float32Array, out: Float32Array): void;
  availableThreads(): number;
  simdLevel(): string;
}

let binding: NativeBinding | undefined;

export function loadNativeBinding(): NativeBinding {
  if (binding) return binding;
  const node = nodeBuiltins('the native backend');
  const loader = node.path.join(corePackageRoot(node), 'native', 'index.cjs');
  if (!node.fs.existsSync(loader)) {
    throw new BackendUnavailableError(
      `native backend unavailable: the addon is not built (${loader} is missing); ` +
        'run `pnpm --filter @dlp/core build:native` (needs Rust), or use --backend wasm or js',
    );
  }
  try {
    binding = node.module.createRequire(import.meta.url)(loader) as NativeBinding;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new BackendUnavailableError(`native backend unavailable: loading ${loader} failed: ${reason}`);
  }
  return binding;
}
