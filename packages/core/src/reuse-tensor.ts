/**
 * Output buffers that modules and trainers reuse from one call to the next: a tensor is re-made only
 * when the batch size changes (training batches vs. evaluation chunks), so a training step
 * allocates nothing. A module's output is therefore valid until that module runs again.
 */

import type { Backend } from './backends/backend.js';
import type { DType } from './dtype.js';
import type { Shape } from './shape.js';
import { Tensor } from './tensor.js';

export function reuseTensor(previous: Tensor | undefined, shape: Shape, backend: Backend, dtype: DType): Tensor {
  if (
    previous !== undefined &&
    previous.backend === backend &&
    previous.dtype === dtype &&
    previous.shape.length === shape.length &&
    previous.shape.every((d, i) => d === shape[i])
  ) {
    return previous;
  }
  previous?.dispose();
  return Tensor.zeros(shape, { backend, dtype });
}
