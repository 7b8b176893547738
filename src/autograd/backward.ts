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

// Sweeps stamp what they visit (node.mark, storage.mark) instead of keeping Sets and Maps: cheaper for
// the small graphs of a training step, and a nested sweep is caught by its fresh stamp.
let stamp = 0;

function topoOrder(roots: readonly Tensor[], id: number): Node[] {
  const order: Node[] = [];
  const stack: Node[] = [];
  const next: number[] = []; // per stack entry: the next input to visit
  for (const r of roots) {
    if (!r.gradFn || r.gradFn.mark === id) continue;
    r.gradFn.mark = id;
    stack.push(r.gradFn);
    next.push(0);
    while (stack.length > 0) {
      const top = stack.length - 1;
      const node = stack[top];
      if (next[top] < node.inputs.length) {
        const child = node.inputs[next[top]++].gradFn;
        if (child && child.mark !== id) {
          child.mark = id;
          stack.push(child);
          next.push(0);
        }
      } else {
        stack.pop();
        next.pop();
        order.push(node);
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
  const id = ++stamp;
  const order = topoOrder(roots, id);
  try {
    return run(() => reverse(order, roots, gradOutputs, inputs, opts, id));
  } finally {
    for (const node of order) node.pending = null; // a failed sweep leaves nothing behind
  }
}

// How many live holders a gradient's storage has in sweep `id` (rule results, sums, leaves; a node's
// pending gradient stops counting once its rule has run). A leaf gradient whose storage has one holder
// is a fresh buffer that nothing else sees, and becomes .grad without a copy; outside storages never do.
function use(t: Tensor, n: number, id: number): void {
  const s = t.storage;
  if (s.mark !== id) [s.mark, s.holders] = [id, 0];
  s.holders += n;
}

// Gradients wait in node.pending until their node's turn; leaves collect theirs in a map.
function reverse(
  order: readonly Node[],
  roots: readonly Tensor[],
  gradOutputs: readonly (Tensor | undefined)[],
  inputs: readonly Tensor[] | null,
  opts: BackwardOptions,
  id: number,
): (Tensor | null)[] {
  const leaves = new Map<Tensor, Tensor>();
  const wanted = inputs && new Map<Node, Tensor>();
  const found = inputs && new Map<Tensor, Tensor>();
  for (const x of inputs ?? []) if (x.gradFn) wanted?.set(x.gradFn, x);
  const accumulate = (t: Tensor, g: Tensor) => {
    if (!t.requiresGrad) return;
    const g0 = g;
    if (!sameShape(g.shape, t.shape)) g = sumTo(g, t.shape);
    if (g.dtype !== t.dtype) g = cast(g, t.dtype);
    if (g !== g0) use(g, 1, id);
    const prev = t.gradFn ? t.gradFn.pending : leaves.get(t);
    const sum = prev ? add(prev, g) : g;
    if (prev) use(sum, 1, id);
    if (t.gradFn) t.gradFn.pending = sum;
    else leaves.set(t, sum);
  };
  for (let i = 0; i < roots.length; i++) {
    const r = roots[i];
    check(
      r.requiresGrad,
      "backward",
      () => `output ${i} (shape ${fmtShape(r.shape)}) does not require grad and has no gradFn`,
    );
    const g = gradOutputs[i] ?? implicitGrad(r);
    use(g, OUTSIDE, id); // the caller's (or a constant's) storage: never stolen
    check(
      sameShape(g.shape, r.shape),
      "backward",
      () => `gradOutput has shape ${fmtShape(g.shape)} but the output has shape ${fmtShape(r.shape)}`,
    );
    accumulate(r, g);
  }
  for (const node of order) {
    const g = node.pending;
    if (!g) continue;
    node.pending = null;
    for (const x of node.inputs) use(x, OUTSIDE, id); // a rule might hand back a forward tensor
    const target = wanted?.get(node);
    if (target) found?.set(target, g);
    if (node.retained && !inputs) node.retained.grad = own(node.retained.grad, g, opts.createGraph);
    const results = node.apply(g);
    if (isAnomalyEnabled()) checkGradients(node, results);
    observer?.(node, g, results);
    use(g, -1, id); // results that are g or views of it count on their own
    for (let k = 0; k < node.inputs.length; k++) {
      const gk = results[k];
      if (!gk) continue;
      use(gk, 1, id);
      accumulate(node.inputs[k], gk);
    }
    // As in PyTorch, a recorded backward keeps the graph: the second pass runs through it again.
    if (!(opts.retainGraph ?? opts.createGraph)) node.release();
  }
  if (found) return inputs.map((x) => (x.gradFn ? found.get(x) : leaves.get(x)) ?? null);
  // A sweep nested in a rule re-stamps storages, so their counts are only trusted without one.
  const trusted = stamp === id && !opts.createGraph && !observer;
  for (const [leaf, g] of leaves) {
    const steal = trusted && !leaf.grad && g.storage.mark === id && g.storage.holders === 1 && ownsStorage(g);
    // a rule's fresh result outside any graph needs no detached copy of its own
    leaf.grad = !steal ? own(leaf.grad, g, opts.createGraph) : g.gradFn || g.requiresGrad ? g.detach() : g;
  }
  return [];
}

const OUTSIDE = 1 << 30;
// Contiguous over its whole storage from offset 0 (so in-place updates of .grad touch nothing else).
const ownsStorage = (g: Tensor) => g.offset === 0 && g.storage.array.length === g.numel && g.isContiguous();

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
