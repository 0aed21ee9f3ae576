/**
 * Autograd functions with a hand-written backward, as torch.autograd.Function: `forward` runs
 * off the tape and may save tensors and constants on a context; `backward` turns the output's
 * gradient into one gradient per argument. `ctx.needsInputGrad[i]` says whether argument i
 * needs one, so work for the others can be skipped (return undefined there).
 *
 * @example
 * const Square = defineFunction({
 *   name: 'Square',
 *   forward(ctx, x: Tensor) { ctx.saveForBackward(x); return ops.mul(x, x); },
 *   backward(ctx, g) { const [x] = ctx.savedTensors; return [ops.mul(g, ops.mul(x!, 2))]; },
 * });
 * const y = Square.apply(x); // on the tape like any op
 */

import { ArgumentError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { noGrad } from './grad-mode.js';
import { record } from './record.js';

/** What forward leaves for backward: saved tensors, flags, and any constants it sets. */
export class FunctionContext {
  /** One flag per argument of apply(): a tensor that requires grad. */
  readonly needsInputGrad: readonly boolean[];
  #saved: readonly Tensor[] | undefined = [];
  readonly #constants = new Map<string, unknown>();

  constructor(needsInputGrad: readonly boolean[]) {
    this.needsInputGrad = needsInputGrad;
  }

  /** Keeps tensors for backward (freed with the graph after backward). */
  saveForBackward(...tensors: Tensor[]): void {
    this.#saved = tensors;
  }

  get savedTensors(): readonly Tensor[] {
    if (!this.#saved) throw new ArgumentError('savedTensors: already freed by an earlier backward (pass retainGraph to keep them)');
    return this.#saved;
  }

  /** Stores a non-tensor value (eps, a shape) for backward. */
  set(name: string, value: unknown): void {
    this.#constants.set(name, value);
  }

  get<T>(name: string): T {
    if (!this.#constants.has(name)) throw new ArgumentError(`FunctionContext: nothing was set under '${name}' in forward`);
    return this.#constants.get(name) as T;
  }

  /** @internal Drops the saved tensors. */
  release(): void {
    this.#saved = undefined;
    this.#constants.clear();
  }
}

export interface FunctionDefinition<Args extends unknown[]> {
  name: string;
  /** Computes the output from the arguments (tensors and constants); runs without the tape. */
  forward(ctx: FunctionContext, ...args: Args): Tensor;
  /** One gradient (or undefined/null) per argument of forward, in order. */
  backward(ctx: FunctionContext, gradOutput: Tensor): readonly (Tensor | null | undefined)[];
}

export interface AutogradFunction<Args extends unknown[]> {
  readonly name: string;
  /** Runs forward and, when an argument requires grad, records the hand-written backward. */
  apply(...args: Args): Tensor;
}

export function defineFunction<Args extends unknown[]>(definition: FunctionDefinition<Args>): AutogradFunction<Args> {
  const { name } = definition;
  return {
    name,
    apply(...args: Args): Tensor {
      const needsInputGrad = args.map((a) => a instanceof Tensor && a.requiresGrad);
      const ctx = new FunctionContext(needsInputGrad);
      let output = noGrad(() => definition.forward(ctx, ...args));
      if (!(output instanceof Tensor)) throw new ArgumentError(`${name}.forward must return a Tensor`);
      const tensorArgs = args.flatMap((a, i) => (a instanceof Tensor ? [{ tensor: a, position: i }] : []));
      // An input returned as is must not become the output node itself.
      if (tensorArgs.some(({ tensor }) => tensor === output)) output = output.detach();
      return record(
        output,
        name,
        tensorArgs.map(({ tensor }) => tensor),
        (gradOutput) => {
          const grads = definition.backward(ctx, gradOutput);
          // One per argument; trailing entries for optional arguments left out of apply() must be empty.
          if (grads.length < args.length || grads.slice(args.length).some((g) => g != null)) {
            throw new ArgumentError(`${name}.backward returned ${grads.length} gradients for ${args.length} arguments`);
          }
          return tensorArgs.map(({ position }) => grads[position] ?? undefined);
        },
        () => ctx.release(),
      );
    },
  };
}
