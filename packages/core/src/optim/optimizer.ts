/** What every optimiser shares: the parameters it updates, zeroGrad(), state dicts, and checks of its options. */

import { ArgumentError, ShapeError } from '../errors.js';
import { zerosLike } from '../ops/raw.js';
import { formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';

/** A tensor's values as a loaded state dict may carry them: a Tensor, or a shape and its values (read from a file). */
export type TensorValues = Tensor | { readonly shape: readonly number[]; readonly data: ArrayLike<number> };

/** One parameter group as torch.optim names it: hyperparameters in snake_case and the group's parameter indices. */
export interface ParamGroup {
  params: number[];
  [hyperparameter: string]: unknown;
}

/**
 * An optimiser's state laid out as torch.optim's `state_dict()`: `state` by parameter index
 * (the position in the parameter list) holding tensors (moment estimates, momentum buffers) and
 * numbers (Adam's `step`), for the parameters that have state; `param_groups` with the
 * hyperparameters. dlp's optimisers have one group holding every parameter.
 */
export interface OptimizerStateDict<T = Tensor> {
  state: Record<number, Record<string, T | number>>;
  param_groups: ParamGroup[];
}

export abstract class Optimizer {
  readonly params: readonly Tensor[];
  readonly #name: string;

  constructor(name: string, params: Iterable<Tensor>) {
    this.#name = name;
    this.params = [...params];
    if (this.params.length === 0) throw new ArgumentError(`${name}: got an empty parameter list`);
    const frozen = this.params.findIndex((p) => !p.requiresGrad);
    if (frozen >= 0) throw new ArgumentError(`${name}: parameter ${frozen} does not require grad`);
  }

  /** One update of every parameter that has a gradient (parameters without one are skipped). */
  abstract step(): void;

  /**
   * The state as torch.optim's `state_dict()`. Like PyTorch's, its tensors are the optimiser's
   * own (not copies): save them before the next step() changes them.
   */
  abstract stateDict(): OptimizerStateDict;

  /**
   * Loads a state dict saved by {@link stateDict} (or by torch.optim, its tensors read into
   * shapes and values): the per-parameter state is copied in and, as PyTorch does, the group's
   * hyperparameters replace this optimiser's.
   * @throws ArgumentError when the groups or the parameter count differ, or a value is out of
   *   range; ShapeError when a state tensor's shape is not its parameter's. Nothing is changed then.
   */
  abstract loadStateDict(state: OptimizerStateDict<TensorValues>): void;

  /** Clears the gradients (set to null, PyTorch's set_to_none=True). */
  zeroGrad(): void {
    for (const p of this.params) p.grad = null;
  }

  /** The one group of a state dict to load, checked against this optimiser's parameters. */
  protected loadedGroup(state: OptimizerStateDict<TensorValues>): ParamGroup {
    const groups = state?.param_groups;
    if (!Array.isArray(groups) || groups.length !== 1) {
      throw new ArgumentError(`${this.#name}.loadStateDict: expected one parameter group, got ${Array.isArray(groups) ? groups.length : String(groups)}`);
    }
    const group = groups[0]!;
    const n = this.params.length;
    if (!Array.isArray(group.params) || group.params.length !== n || group.params.some((p, i) => p !== i)) {
      throw new ArgumentError(
        `${this.#name}.loadStateDict: the state dict's group holds ${Array.isArray(group.params) ? group.params.length : 'no'} parameters, this optimiser ${n} (indices 0..${n - 1} expected)`,
      );
    }
    if (typeof state.state !== 'object' || state.state === null) throw new ArgumentError(`${this.#name}.loadStateDict: state is missing`);
    for (const key of Object.keys(state.state)) {
      const index = Number(key);
      if (!Number.isInteger(index) || index < 0 || index >= n) {
        throw new ArgumentError(`${this.#name}.loadStateDict: state for parameter ${key}, but there are ${n} (0..${n - 1})`);
      }
    }
    return group;
  }

  /** A hyperparameter of a loaded group, or `current` when the group does not name it. */
  protected groupNumber(group: ParamGroup, key: string, current: number): number {
    const value = group[key];
    if (value === undefined) return current;
    if (typeof value !== 'number') throw new ArgumentError(`${this.#name}.loadStateDict: ${key} must be a number, got ${JSON.stringify(value)}`);
    return value;
  }

  /** Refuses a group flag this optimiser does not implement (amsgrad, maximize) when set. */
  protected unsupportedFlag(group: ParamGroup, key: string): void {
    if (group[key] !== undefined && group[key] !== false && group[key] !== null) {
      throw new ArgumentError(`${this.#name}.loadStateDict: ${key}=${JSON.stringify(group[key])} is not supported`);
    }
  }

  /**
   * A fresh tensor like parameter `index` holding a loaded state tensor's values.
   * @throws ShapeError when the shapes differ
   */
  protected loadedTensor(index: number, key: string, value: TensorValues | number | undefined): Tensor {
    const param = this.params[index]!;
    if (typeof value !== 'object' || value === null || !Array.isArray(value.shape)) {
      throw new ArgumentError(`${this.#name}.loadStateDict: state ${index}.${key} must be a tensor, got ${JSON.stringify(value)}`);
    }
    const shape = value.shape;
    const values = 'toArray' in value ? value.toArray() : value.data;
    if (shape.length !== param.shape.length || shape.some((d, i) => d !== param.shape[i])) {
      throw new ShapeError(`${this.#name}.loadStateDict: state ${index}.${key} has shape ${formatShape(shape)} but parameter ${index} has ${formatShape(param.shape)}`);
    }
    if (values.length !== param.size) {
      throw new ShapeError(`${this.#name}.loadStateDict: state ${index}.${key} has ${values.length} values for shape ${formatShape(shape)}`);
    }
    const out = zerosLike(param);
    out.backend.write(out.storage, values);
    return out;
  }
}

/** Throws unless `value` is a finite number ≥ 0 (or > 0 with `positive`). */
export function checkHyperparameter(optimizer: string, name: string, value: number, positive = false): void {
  if (!Number.isFinite(value) || value < 0 || (positive && value === 0)) {
    throw new ArgumentError(`${optimizer}: ${name} must be ${positive ? 'a positive' : 'a non-negative'} number, got ${value}`);
  }
}
