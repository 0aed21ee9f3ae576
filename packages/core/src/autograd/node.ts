/**
 * One recorded op on the tape: the tensors it read and how to turn the gradient of its output
 * into gradients of those inputs. The closure holds whatever the op saved for backward; after
 * backward (unless the graph is retained) it is dropped, and the saved buffers with it.
 */

import { ArgumentError } from '../errors.js';
import type { Tensor } from '../tensor.js';

/**
 * Gradients of the op's inputs, one per input in order; `undefined` where `needsInputGrad`
 * is false (the op may skip that work) or where the input gets no gradient.
 */
export type BackwardFn = (gradOutput: Tensor, needsInputGrad: readonly boolean[]) => readonly (Tensor | undefined)[];

export class GradNode {
  readonly name: string;
  readonly inputs: readonly Tensor[];
  #backward: BackwardFn | undefined;
  #onRelease: (() => void) | undefined;

  constructor(name: string, inputs: readonly Tensor[], backward: BackwardFn, onRelease?: () => void) {
    this.name = name;
    this.inputs = inputs;
    this.#backward = backward;
    this.#onRelease = onRelease;
  }

  get released(): boolean {
    return this.#backward === undefined;
  }

  apply(gradOutput: Tensor, needsInputGrad: readonly boolean[]): readonly (Tensor | undefined)[] {
    if (!this.#backward) {
      throw new ArgumentError(
        `backward: the graph through '${this.name}' was already freed by an earlier backward(); ` +
          'pass { retainGraph: true } to the first backward() to go through it twice',
      );
    }
    return this.#backward(gradOutput, needsInputGrad);
  }

  /** Drops the saved tensors (called by backward unless the graph is retained). */
  release(): void {
    this.#backward = undefined;
    this.#onRelease?.();
    this.#onRelease = undefined;
  }
}
