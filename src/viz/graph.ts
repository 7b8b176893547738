// Graph capture: the recorded autodiff graph behind one or more tensors (walking gradFn → inputs) as a
// GraphModel, annotated with values and, after one observed reverse sweep on the retained graph, with
// gradients. Module capture (clusters) is in module-graph.ts, the reverse graph in reverse-graph.ts.
import type { Node } from "../autograd/graph.js";
import { gradients, observeSweep } from "../autograd/backward.js";
import { noGrad } from "../autograd/grad-mode.js";
import { Parameter } from "../nn/module.js";
import { onesLikeOf, sumTo } from "../ops/index.js";
import type { Tensor } from "../tensor/tensor.js";
import { sameShape } from "../util/shape.js";
import { fmtNum, summarize, type GraphModel, type GraphNode, type NodeKind } from "./model.js";

/** Options of captureGraph (and, except outputNames, of captureModule and traceBackward). */
export interface CaptureOptions {
  /** Names of tensors (inputs, parameters): `{ a, b }` or a Map from tensor to name. */
  names?: Record<string, Tensor> | Map<Tensor, string>;
  /** Names of the outputs (default `output`, or `output0`, `output1`, … for several). */
  outputNames?: string[];
  /** Draw constants (scalar operands, masks) as nodes (default true). */
  constants?: boolean;
  /**
   * Run one reverse sweep (on the retained graph, leaving every `.grad` untouched) to annotate each node
   * with its gradient. Default: when the graph has not been freed by a backward() without retainGraph.
   */
  grads?: boolean;
  /** The gradients of the outputs that the sweep starts from (default ones: the gradient of Σ outputs). */
  gradOutputs?: Tensor[];
  /** Tensors with at most this many elements keep their values in the summaries (default 6). */
  maxValues?: number;
}

/** What one observed reverse sweep saw: the visiting order and every gradient. */
export interface SweepRecord {
  order: Node[];
  /** The gradient of each node's output. */
  gradOut: Map<Node, Tensor>;
  /** What each node sent to each input, summed to the input's shape (null where none flows). */
  gradIn: Map<Node, (Tensor | null)[]>;
  /** The gradient of each leaf that requires one, and of each output (the seed). */
  leafGrad: Map<Tensor, Tensor>;
}

/** A capture with the maps from graph objects to node ids (used by module capture and traces). */
export interface Captured {
  model: GraphModel;
  nodeIds: Map<Node, string>;
  leafIds: Map<Tensor, string>;
  outputIds: string[];
  sweep: SweepRecord | null;
}

type Item = { node: Node; out: Tensor } | { leaf: Tensor };

/** Every node and leaf reachable from `roots`, inputs before their consumers (iterative: deep chains are fine). */
function collect(roots: readonly Tensor[]): Item[] {
  const items: Item[] = [];
  const seenNodes = new Set<Node>();
  const seenLeaves = new Set<Tensor>();
  const stack: { t: Tensor; node: Node; next: number }[] = [];
  const visit = (t: Tensor): void => {
    if (t.gradFn) {
      if (seenNodes.has(t.gradFn)) return;
      seenNodes.add(t.gradFn);
      stack.push({ t, node: t.gradFn, next: 0 });
    } else if (!seenLeaves.has(t)) {
      seenLeaves.add(t);
      items.push({ leaf: t });
    }
  };
  for (const r of roots) {
    visit(r);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (top.next < top.node.inputs.length) visit(top.node.inputs[top.next++]);
      else {
        stack.pop();
        items.push({ node: top.node, out: top.t });
      }
    }
  }
  return items;
}

function nameMap(names: CaptureOptions["names"]): Map<Tensor, string> {
  if (!names) return new Map();
  if (names instanceof Map) return names;
  return new Map(Object.entries(names).map(([k, t]) => [t, k]));
}

function leafKind(t: Tensor, named: boolean): NodeKind {
  if (t instanceof Parameter) return "parameter";
  return named || t.requiresGrad ? "input" : "constant";
}

function constantLabel(t: Tensor): string {
  if (t.numel === 1) return noGrad(() => fmtNum(t.toTypedArray()[0]));
  return t.dtype === "bool" ? "mask" : "const";
}

/** Runs one reverse sweep from `roots` on the retained graph, recording every step; no `.grad` changes. */
export function observedSweep(
  roots: readonly Tensor[],
  leaves: readonly Tensor[],
  gradOutputs: readonly Tensor[] = [],
): SweepRecord {
  const rec: SweepRecord = { order: [], gradOut: new Map(), gradIn: new Map(), leafGrad: new Map() };
  const seeds = roots.map((r, i) => gradOutputs[i] ?? onesLikeOf(r, 1));
  const got = observeSweep(
    (node, g, results) => {
      rec.order.push(node);
      rec.gradOut.set(node, g);
      const ins = node.inputs.map((x, k) => {
        const gk = results[k];
        if (!gk || !x.requiresGrad) return null;
        return sameShape(gk.shape, x.shape) ? gk : sumTo(gk, x.shape);
      });
      rec.gradIn.set(node, ins);
    },
    () => gradients(roots, leaves, seeds, { retainGraph: true, allowUnused: true }),
  );
  leaves.forEach((l, i) => rec.leafGrad.set(l, got[i]));
  roots.forEach((r, i) => rec.leafGrad.set(r, seeds[i]));
  return rec;
}

/** Nodes and edges (no gradients) for the collected items, then one output node per root. */
function buildStructure(items: readonly Item[], roots: readonly Tensor[], opts: CaptureOptions): Captured {
  const names = nameMap(opts.names);
  const maxValues = opts.maxValues ?? 6;
  const c: Captured = {
    model: { direction: "forward", nodes: [], edges: [], clusters: [] },
    nodeIds: new Map(),
    leafIds: new Map(),
    outputIds: [],
    sweep: null,
  };
  const { nodes, edges } = c.model;
  const idOf = (t: Tensor): string | undefined => (t.gradFn ? c.nodeIds.get(t.gradFn) : c.leafIds.get(t));
  const link = (t: Tensor, to: string, inputIndex: number): void => {
    const from = idOf(t);
    if (from !== undefined) edges.push({ from, to, inputIndex });
  };
  let unnamed = 0;
  for (const it of items) {
    const id = `n${nodes.length}`;
    if ("leaf" in it) {
      const t = it.leaf;
      const kind = leafKind(t, names.has(t));
      if (kind === "constant" && opts.constants === false) continue;
      const label = names.get(t) ?? (kind === "constant" ? constantLabel(t) : `input${unnamed++}`);
      c.leafIds.set(t, id);
      nodes.push(nodeOf(id, kind, label, t, maxValues));
    } else {
      c.nodeIds.set(it.node, id);
      nodes.push(nodeOf(id, "op", it.node.op, it.out, maxValues));
      it.node.inputs.forEach((x, k) => link(x, id, k));
    }
  }
  roots.forEach((r, i) => {
    const id = `n${nodes.length}`;
    const label = opts.outputNames?.[i] ?? (roots.length === 1 ? "output" : `output${i}`);
    nodes.push(nodeOf(id, "output", label, r, maxValues));
    link(r, id, 0);
    c.outputIds.push(id);
  });
  return c;
}

/** Builds nodes, edges and (optionally) gradients; the engine behind every capture. */
export function captureInternal(roots: readonly Tensor[], opts: CaptureOptions = {}): Captured {
  const items = collect(roots);
  const captured = noGrad(() => buildStructure(items, roots, opts));
  const retained = items.every((it) => "leaf" in it || it.node.rule !== null);
  if ((opts.grads ?? retained) && roots.some((r) => r.requiresGrad)) annotateGrads(captured, roots, opts);
  return captured;
}

function nodeOf(id: string, kind: NodeKind, label: string, t: Tensor, maxValues: number): GraphNode {
  return {
    id,
    kind,
    label,
    shape: [...t.shape],
    dtype: t.dtype,
    requiresGrad: kind === "op" || t.requiresGrad,
    value: summarize(t, maxValues),
  };
}

function annotateGrads(c: Captured, roots: readonly Tensor[], opts: CaptureOptions): void {
  const leaves = [...c.leafIds.keys()].filter((t) => t.requiresGrad);
  const sweep = observedSweep(roots, leaves, opts.gradOutputs);
  c.sweep = sweep;
  const maxValues = opts.maxValues ?? 6;
  const byId = new Map(c.model.nodes.map((n) => [n.id, n]));
  noGrad(() => {
    for (const [node, id] of c.nodeIds) {
      const g = sweep.gradOut.get(node);
      const n = byId.get(id);
      if (g && n) n.grad = summarize(g, maxValues);
    }
    for (const [t, id] of c.leafIds) {
      const g = sweep.leafGrad.get(t);
      const n = byId.get(id);
      if (g && n && t.requiresGrad) n.grad = summarize(g, maxValues);
    }
    roots.forEach((r, i) => {
      const n = byId.get(c.outputIds[i]);
      const g = sweep.leafGrad.get(r);
      if (n && g) n.grad = summarize(g, maxValues);
    });
    const consumers = new Map([...c.nodeIds].map(([node, id]) => [id, node]));
    for (const e of c.model.edges) {
      const node = consumers.get(e.to);
      const g = node ? sweep.gradIn.get(node)?.[e.inputIndex] : null;
      if (g) e.grad = summarize(g, maxValues);
    }
  });
}

/**
 * The computation graph that produced `outputs`: one node per input, parameter, constant and recorded
 * op, plus one per output, with edges from each op's inputs (in argument order) to it. Nodes carry
 * shapes, dtypes and value summaries; when the graph is still retained, one extra reverse sweep adds the
 * gradient of every node and edge (the tensors' `.grad` are left alone).
 *
 * @example
 * const a = cr.tensor([1, 2], { requiresGrad: true }), b = cr.tensor([3, 4], { requiresGrad: true });
 * const g = viz.captureGraph(a.mul(b).sum(), { names: { a, b } }); // a, b, mul, sum, output
 */
export function captureGraph(outputs: Tensor | readonly Tensor[], opts: CaptureOptions = {}): GraphModel {
  const roots = Array.isArray(outputs) ? (outputs as readonly Tensor[]) : [outputs as Tensor];
  return captureInternal(roots, opts).model;
}
