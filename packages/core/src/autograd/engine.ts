/**
 * Reverse-mode differentiation over the tape: `backward(root)` visits the ops that produced
 * `root` in reverse topological order, hands each its output's gradient, and accumulates the
 * results into the `.grad` of leaf tensors that require grad (adding to what is there, as
 * PyTorch does). A gradient tensor is handed to at most one owner; a second use is copied, so
 * in-place accumulation into one `.grad` never changes another.
 */

import { ArgumentError, ShapeError } from '../errors.js';
import { formatShape } from '../shape.js';
import type { Storage } from '../backends/backend.js';
import { axpyInto, cloneTensor, fullLike } from '../ops/raw.js';
import type { Tensor } from '../tensor.js';
import { noGrad } from './grad-mode.js';
import type { GradNode } from './node.js';

export interface BackwardOptions {
  /** Keep the saved tensors so backward can run through the graph again. Default false. */
  retainGraph?: boolean;
}

/** Nodes reachable from `root`, each after every node that consumes its output. */
function topologicalOrder(root: GradNode): GradNode[] {
  const order: GradNode[] = [];
  const seen = new Set<GradNode>([root]);
  // Iterative post-order DFS: a deep MLP or a long custom chain must not overflow the stack.
  const stack: { node: GradNode; next: number }[] = [{ node: root, next: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.next < top.node.inputs.length) {
      const child = top.node.inputs[top.next++]!.gradFn;
      if (child && !seen.has(child)) {
        seen.add(child);
        stack.push({ node: child, next: 0 });
      }
    } else {
      order.push(top.node);
      stack.pop();
    }
  }
  return order.reverse();
}

function checkGradientShape(what: string, tensor: Tensor, grad: Tensor): void {
  if (grad.shape.length !== tensor.shape.length || grad.shape.some((d, i) => d !== tensor.shape[i])) {
    throw new ShapeError(`${what}: gradient of shape ${formatShape(grad.shape)} for a tensor of shape ${formatShape(tensor.shape)}`);
  }
}

export function runBackward(root: Tensor, gradient?: Tensor, options: BackwardOptions = {}): void {
  if (!root.requiresGrad) {
    throw new ArgumentError('backward: the tensor does not require grad (no input of the ops that made it requires grad)');
  }
  if (gradient === undefined) {
    if (root.size !== 1) {
      throw new ArgumentError(
        `backward: a gradient can only be implied for a scalar; pass one of shape ${formatShape(root.shape)}`,
      );
    }
    gradient = fullLike(root, 1);
  } else {
    checkGradientShape('backward', root, gradient);
  }

  // Every gradient stored (pending for a node, or a leaf's .grad) gets storage no other stored
  // gradient shares, so accumulating into it in place is safe. A node's incoming gradient is
  // released to its backward once consumed, so a pass-through (add, reshape) moves it instead
  // of copying it; a second use of the same storage is copied.
  const inUse = new Set<Storage>();
  const exclusive = (g: Tensor): Tensor => {
    if (inUse.has(g.storage) || !g.isContiguous()) return cloneTensor(g);
    inUse.add(g.storage);
    return g;
  };
  const accumulateLeaf = (leaf: Tensor, g: Tensor) => {
    if (leaf.grad) axpyInto(leaf.grad, g, 1);
    else leaf.grad = exclusive(g);
  };

  inUse.add(gradient.storage); // the caller's: never accumulated into nor kept
  if (!root.gradFn) {
    accumulateLeaf(root, gradient);
    return;
  }

  const pending = new Map<GradNode, Tensor>([[root.gradFn, gradient]]);
  for (const node of topologicalOrder(root.gradFn)) {
    const g = pending.get(node);
    pending.delete(node);
    if (!g) continue;
    if (g !== gradient) inUse.delete(g.storage);
    const needs = node.inputs.map((t) => t.requiresGrad);
    // Backward passes compute without recording (no higher-order gradients).
    const inputGrads = noGrad(() => node.apply(g, needs));
    if (!options.retainGraph) node.release();
    // A consumed gradient that no input gradient shares (a pass-through returns g itself or a
    // view of it) is dead: nothing outside the engine ever saw it. Its memory goes back to the
    // backend for the next gradient of that size (fresh memory costs page faults natively).
    if (g !== gradient && !inputGrads.some((gi) => gi?.storage === g.storage)) g.backend.release(g.storage);
    node.inputs.forEach((input, i) => {
      const gi = inputGrads[i];
      if (!needs[i] || gi === undefined) return;
      checkGradientShape(`backward of ${node.name}`, input, gi);
      if (!input.gradFn) {
        accumulateLeaf(input, gi);
        return;
      }
      const sum = pending.get(input.gradFn);
      if (sum === undefined) pending.set(input.gradFn, exclusive(gi));
      else axpyInto(sum, gi, 1);
    });
  }
}
