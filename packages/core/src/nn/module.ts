/**
 * Module: the base of every layer and model, as torch.nn.Module. A module registers its
 * parameters (tensors that require grad), buffers (state that is saved but not trained, such as
 * BatchNorm's running statistics) and child modules under names; `namedParameters()` and
 * `stateDict()` walk that tree and name each tensor by its path, e.g. `layers.0.weight`, so
 * state dicts match PyTorch's and load into it.
 */

import { ArgumentError, ShapeError } from '../errors.js';
import { formatShape } from '../shape.js';
import { bfloat16BitsToFloat32, float16BitsToFloat32 } from '../io/half.js';
import type { Tensor } from '../tensor.js';

export abstract class Module {
  /** Training mode (batch statistics, dropout on); switch with train()/eval(). */
  training = true;
  readonly #parameters = new Map<string, Tensor>();
  readonly #buffers = new Map<string, Tensor>();
  readonly #children = new Map<string, Module>();

  abstract forward(x: Tensor): Tensor;

  /** Registers a trainable tensor under `name` (it is made to require grad) and returns it. */
  protected registerParameter(name: string, tensor: Tensor): Tensor {
    this.#checkName(name);
    this.#parameters.set(name, tensor.requiresGrad_(true));
    return tensor;
  }

  /** Registers state that is saved with the model but not trained, and returns it. */
  protected registerBuffer(name: string, tensor: Tensor): Tensor {
    this.#checkName(name);
    this.#buffers.set(name, tensor);
    return tensor;
  }

  /** Registers a child module under `name` and returns it. */
  protected registerModule<M extends Module>(name: string, module: M): M {
    this.#checkName(name);
    this.#children.set(name, module);
    return module;
  }

  /**
   * Puts `module` in place of the child registered as `name` (PyTorch's `model.fc = nn.Linear(…)`),
   * keeping its position in namedModules() and stateDict(); returns it.
   */
  protected replaceModule<M extends Module>(name: string, module: M): M {
    if (!this.#children.has(name)) throw new ArgumentError(`module: there is no child '${name}' to replace`);
    this.#children.set(name, module);
    return module;
  }

  #checkName(name: string): void {
    if (name === '' || name.includes('.')) throw new ArgumentError(`module: '${name}' is not a valid name (non-empty, no dots)`);
    if (this.#parameters.has(name) || this.#buffers.has(name) || this.#children.has(name)) {
      throw new ArgumentError(`module: '${name}' is already registered`);
    }
  }

  /** Direct children with their names, in registration order. */
  namedChildren(): [string, Module][] {
    return [...this.#children];
  }

  /** This module and every descendant, with dotted names ('' for this one). */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, child] of this.#children) out.push(...child.namedModules(prefix ? `${prefix}.${name}` : name));
    return out;
  }

  /** Every parameter with its dotted path, e.g. ['layers.0.weight', tensor]; each tensor once. */
  namedParameters(): [string, Tensor][] {
    return this.#collect((m) => m.#parameters);
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  namedBuffers(): [string, Tensor][] {
    return this.#collect((m) => m.#buffers);
  }

  #collect(pick: (m: Module) => Map<string, Tensor>): [string, Tensor][] {
    const seen = new Set<Tensor>();
    const out: [string, Tensor][] = [];
    for (const [path, module] of this.namedModules()) {
      for (const [name, t] of pick(module)) {
        if (seen.has(t)) continue;
        seen.add(t);
        out.push([path ? `${path}.${name}` : name, t]);
      }
    }
    return out;
  }

  /** Sets training mode here and in every descendant; returns this. */
  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  /** Evaluation mode (running statistics, no dropout); returns this. */
  eval(): this {
    return this.train(false);
  }

  /** Clears every parameter's gradient (PyTorch's zero_grad(set_to_none=True)). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Parameters and buffers by dotted name, in PyTorch's order (each module's parameters, then its buffers). */
  stateDict(): Record<string, Tensor> {
    const state: Record<string, Tensor> = {};
    for (const [path, module] of this.namedModules()) {
      const prefix = path ? `${path}.` : '';
      for (const [name, t] of module.#parameters) state[prefix + name] = t;
      for (const [name, t] of module.#buffers) state[prefix + name] = t;
    }
    return state;
  }

  /**
   * Copies values into this module's parameters and buffers by name (the tensors stay the same
   * objects, so optimisers keep working), as PyTorch's `load_state_dict`. Values may be tensors,
   * plain `{ shape, data }` records, or what `io.loadWeights` returns: any numeric typed array,
   * int64 as BigInt64Array (BatchNorm's `num_batches_tracked`), F16/BF16 bits with their dtype.
   *
   * With `strict` (default) every name must match both ways and every shape must fit; one error
   * lists the first mismatches of each kind (missing, unexpected, wrong shape). With
   * `strict: false` what matches is loaded and the names that did not are returned; a wrong
   * shape still throws, as in PyTorch. Either way nothing is copied unless everything checks.
   *
   * @example
   * const { missingKeys, unexpectedKeys } = model.loadStateDict((await io.loadWeights('m.pth')).tensors, { strict: false });
   */
  loadStateDict(state: Record<string, StateDictValue>, options: { strict?: boolean } = {}): LoadStateDictResult {
    const strict = options.strict ?? true;
    const own = this.stateDict();
    const has = (record: object, key: string) => Object.prototype.hasOwnProperty.call(record, key);
    const missingKeys = Object.keys(own).filter((k) => !has(state, k));
    const unexpectedKeys = Object.keys(state).filter((k) => !has(own, k));
    const wrongShapes: string[] = [];
    const copies: [Tensor, ArrayLike<number>][] = [];
    for (const [name, target] of Object.entries(own)) {
      if (!has(state, name)) continue;
      const source = state[name]!;
      const shape = source.shape;
      if (shape.length !== target.shape.length || shape.some((d, i) => d !== target.shape[i])) {
        wrongShapes.push(`${name} has shape ${formatShape(shape)} in the state dict but ${formatShape(target.shape)} in the model`);
        continue;
      }
      const values = numericValues(source);
      if (values.length !== target.size) {
        wrongShapes.push(`${name} has ${values.length} values for its shape ${formatShape(shape)} (${target.size})`);
        continue;
      }
      copies.push([target, values]);
    }
    // Check everything before copying anything: a misfit must leave the model untouched.
    if (strict && (missingKeys.length > 0 || unexpectedKeys.length > 0)) {
      const parts = [];
      if (missingKeys.length > 0) parts.push(`missing ${firstFew(missingKeys)}`);
      if (unexpectedKeys.length > 0) parts.push(`unexpected ${firstFew(unexpectedKeys)}`);
      if (wrongShapes.length > 0) parts.push(firstFew(wrongShapes, '; '));
      throw new ArgumentError(`loadStateDict: the state dict does not fit the model: ${parts.join('; ')}`);
    }
    if (wrongShapes.length > 0) throw new ShapeError(`loadStateDict: ${firstFew(wrongShapes, '; ')}`);
    for (const [target, values] of copies) target.backend.write(target.storage, values);
    return { missingKeys: strict ? [] : missingKeys, unexpectedKeys: strict ? [] : unexpectedKeys };
  }
}

/** A state dict entry: a tensor, or a shape with its row-major values (typed arrays from weight files included). */
export type StateDictValue =
  | Tensor
  | { dtype?: string; shape: readonly number[]; data: ArrayLike<number> | BigInt64Array | BigUint64Array };

/** What loadStateDict did not match (always empty when strict, since it throws instead). */
export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/** How many names of each kind a loadStateDict error lists. */
const LISTED = 5;

function firstFew(items: string[], separator = ', '): string {
  const shown = items.slice(0, LISTED).join(separator);
  return items.length > LISTED ? `${shown}${separator}… (${items.length} in all)` : shown;
}

/** The entry's values as numbers: int64 via Number (exact up to 2^53), F16/BF16 bits decoded. */
function numericValues(source: StateDictValue): ArrayLike<number> {
  if ('toArray' in source) return source.toArray();
  const { data, dtype } = source;
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return Float64Array.from(data, Number);
  if (data instanceof Uint16Array && dtype === 'F16') return float16BitsToFloat32(data);
  if (data instanceof Uint16Array && dtype === 'BF16') return bfloat16BitsToFloat32(data);
  return data;
}
