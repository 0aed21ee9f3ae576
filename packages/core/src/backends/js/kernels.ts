/** The js backend's kernels: registered once, looked up by name through the kernel registry. */

import { checkGemmLengths } from '../../kernels/gemm-lengths.js';
import { registerKernel } from '../../kernels/registry.js';
import { gemmReference } from './gemm.js';
import type { JsStorage } from './js-backend.js';

let registered = false;

export function registerJsKernels(): void {
  if (registered) return;
  registered = true;
  registerKernel('gemm', 'js', (_backend, args) => {
    checkGemmLengths(args);
    gemmReference(args, (args.a as JsStorage).array, (args.b as JsStorage).array, (args.c as JsStorage).array);
  });
}
