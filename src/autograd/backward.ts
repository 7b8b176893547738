// The reverse sweep: sort the graph (iteratively, so 200k-op chains are fine), call each node's rule
// once in reverse topological order, undo broadcasting, and accumulate gradients at the leaves.
import type { Tensor } from "../tensor/tensor.js";
import { cast, contiguous, onesLikeOf, sumTo, add } from "../ops/index.js";
import { ChainruleError, check, fmtShape } from "../util/errors.js";
import { sameShape } from "../util/shape.js";
import { checkGradients, isAnomalyEnabled } from "./anomaly.js";
import type { Node } from "./graph.js";
import { enableGrad, noGrad } from "./grad-mode.js";

export interface BackwardOptions {
  /** Keep the graph's saved tensors so that backward can run through it again (default: createGraph). */
  retainGraph?: boolean;
  /** Record the backward pass itself, so that its gradients can be differentiated (higher order). */
  createGraph?: boolean;
}

/** Gradients of `root` accumulated into the `.grad` of every leaf that requires them. */
export function backward(root: Tensor, gradOutput?: Tensor, opts: BackwardOptions = {}): void {
  sweep([root], [gradOutput], null, opts);
}

/** torch.autograd.grad: the gradients of `outputs` w.r.t. `inputs`, returned instead of accumulated. */
export function gradients(
  outputs: readonly Tensor[],
  inputs: readonly Tensor[],
  gradOutputs: readonly (Tensor | undefined)[] = [],
  opts: BackwardOptions & { allowUnused?: boolean } = {},
): Tensor[] {
  const got = sweep(outputs, gradOutputs, inputs, opts);
  return inputs.map((x, i) => {
    const g = got[i];
    if (g) return g;
    check(
      opts.allowUnused,
      "grad",
      () => `input ${i} (shape ${fmtShape(x.shape)}) was not used to compute the outputs`,
    );
    return onesLikeOf(x, 0);
  });
}

/** Sees each step of a reverse sweep: the node, the gradient of its output, what its rule returned. */
export type SweepObserver = (node: Node, grad: Tensor, results: readonly (Tensor | null)[]) => void;
let observer: SweepObserver | null = null;

/** Runs `fn` with `obs` watching every node that the sweeps inside it visit (the viz backprop trace). */
export function observeSweep<T>(obs: SweepObserver, fn: () => T): T {
  const prev = observer;
  observer = obs;
  try {
    return fn();
  } finally {
    observer = prev;
  }
}

function topoOrder(roots: readonly Tensor[]): Node[] {
  const order: Node[] = [];
  const seen = new Set<Node>();
  const stack: { node: Node; next: number }[] = [];
  for (const r of roots) {
    if (!r.gradFn || seen.has(r.gradFn)) continue;
    seen.add(r.gradFn);
    stack.push({ node: r.gradFn, next: 0 });
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (top.next < top.node.inputs.length) {
        const child = top.node.inputs[top.next++].gradFn;
        if (child && !seen.has(child)) {
          seen.add(child);
          stack.push({ node: child, next: 0 });
        }
      } else {
        stack.pop();
        order.push(top.node);
      }
    }
  }
  return order.reverse();
}

function sweep(
  roots: readonly Tensor[],
  gradOutputs: readonly (Tensor | undefined)[],
  inputs: readonly Tensor[] | null,
  opts: BackwardOptions,
): (Tensor | null)[] {
  const run = opts.createGraph ? enableGrad : noGrad;
  return run(() => {
    const pending = new Map<Node, Tensor>();
    const leaves = new Map<Tensor, Tensor>();
    const wanted = new Map<Node, Tensor>();
    for (const x of inputs ?? []) if (x.gradFn) wanted.set(x.gradFn, x);
    const found = new Map<Tensor, Tensor>();
    const accumulate = (t: Tensor, g: Tensor) => {
      if (!t.requiresGrad) return;
      if (!sameShape(g.shape, t.shape)) g = sumTo(g, t.shape);
      if (g.dtype !== t.dtype) g = cast(g, t.dtype);
      const map: Map<Node | Tensor, Tensor> = (t.gradFn ? pending : leaves) as Map<Node | Tensor, Tensor>;
      const key = t.gradFn ?? t;
      const prev = map.get(key);
      map.set(key, prev ? add(prev, g) : g);
    };
    roots.forEach((r, i) => {
      check(
        r.requiresGrad,
        "backward",
        () => `output ${i} (shape ${fmtShape(r.shape)}) does not require grad and has no gradFn`,
      );
      const g = gradOutputs[i] ?? implicitGrad(r);
      check(
        sameShape(g.shape, r.shape),
        "backward",
        () => `gradOutput has shape ${fmtShape(g.shape)} but the output has shape ${fmtShape(r.shape)}`,
      );
      accumulate(r, g);
    });
    for (const node of topoOrder(roots)) {
      const g = pending.get(node);
      if (!g) continue;
      pending.delete(node);
      const target = wanted.get(node);
      if (target) found.set(target, g);
      if (node.retained && !inputs) node.retained.grad = own(node.retained.grad, g, opts.createGraph);
      const results = node.apply(g);
      if (isAnomalyEnabled()) checkGradients(node, results);
      observer?.(node, g, results);
      node.inputs.forEach((x, k) => {
        const gk = results[k];
        if (gk) accumulate(x, gk);
      });
      // As in PyTorch, a recorded backward keeps the graph: the second pass runs through it again.
      if (!(opts.retainGraph ?? opts.createGraph)) node.release();
    }
    if (inputs) return inputs.map((x) => (x.gradFn ? found.get(x) : leaves.get(x)) ?? null);
    for (const [leaf, g] of leaves) leaf.grad = own(leaf.grad, g, opts.createGraph);
    return [];
  });
}

// A .grad gets its own contiguous storage: a rule may return a broadcast view or hand one tensor to two
// inputs (d(a+b) = (g, g)), and optimizers and clipping update grads in place.
function own(prev: Tensor | null, g: Tensor, createGraph = false): Tensor {
  const fresh = prev ? add(prev, g) : contiguous(g, true);
  return createGraph ? fresh : fresh.detach();
}

function implicitGrad(r: Tensor): Tensor {
  if (r.numel !== 1)
    throw new ChainruleError(
      "backward",
      `grad can be implicitly created only for one-element outputs, got shape ${fmtShape(r.shape)}; pass a gradOutput`,
    );
  return onesLikeOf(r, 1);
}
