/**
 * Module: the base of every layer and model, as torch.nn.Module. A module registers its
 * parameters (tensors that require grad), buffers (state that is saved but not trained, such as
 * BatchNorm's running statistics) and child modules under names; `namedParameters()` and
 * `stateDict()` walk that tree and name each tensor by its path, e.g. `layers.0.weight`, so
 * state dicts match PyTorch's and load into it.
 */

import { ArgumentError, ShapeError } from '../errors.js';
import { formatShape } from '../shape.js';
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
   * objects, so optimisers keep working). Plain arrays are accepted as values. With `strict`
   * (default), missing or unexpected names are an error; shapes must always match.
   */
  loadStateDict(state: Record<string, Tensor | { shape: readonly number[]; data: ArrayLike<number> }>, options: { strict?: boolean } = {}): void {
    const own = this.stateDict();
    if (options.strict ?? true) {
      const missing = Object.keys(own).filter((k) => !(k in state));
      const unexpected = Object.keys(state).filter((k) => !(k in own));
      if (missing.length > 0 || unexpected.length > 0) {
        const parts = [];
        if (missing.length > 0) parts.push(`missing ${missing.join(', ')}`);
        if (unexpected.length > 0) parts.push(`unexpected ${unexpected.join(', ')}`);
        throw new ArgumentError(`loadStateDict: the state dict does not fit the model: ${parts.join('; ')}`);
      }
    }
    // Check every shape before copying anything: a misfit must leave the model untouched.
    const copies: [Tensor, ArrayLike<number>][] = [];
    for (const [name, target] of Object.entries(own)) {
      const source = state[name];
      if (source === undefined) continue;
      const shape = source.shape;
      if (shape.length !== target.shape.length || shape.some((d, i) => d !== target.shape[i])) {
        throw new ShapeError(`loadStateDict: ${name} has shape ${formatShape(shape)} in the state dict but ${formatShape(target.shape)} in the model`);
      }
      copies.push([target, 'toArray' in source ? source.toArray() : source.data]);
    }
    for (const [target, values] of copies) target.backend.view(target.storage).set(values);
  }
}

