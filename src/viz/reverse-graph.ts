// The backward (reverse) graph derived from a captured forward graph: one node per vector-Jacobian
// product, one gradient accumulator per leaf that requires a gradient, and a seed per output, with every
// edge reversed. Pure data transformation; no tensors are touched here.
import { opFormula } from "./formulas.js";
import type { GraphCluster, GraphEdge, GraphModel, GraphNode } from "./model.js";

/** The id of the backward node for forward node `id`. */
export const backwardId = (id: string): string => `g_${id}`;

function backwardNode(n: GraphNode): GraphNode | null {
  const base = { shape: n.shape, dtype: n.dtype, requiresGrad: true, forwardId: n.id, id: backwardId(n.id) };
  const extra = {
    ...(n.grad ? { grad: n.grad } : {}),
    ...(n.module !== undefined ? { module: n.module } : {}),
  };
  if (n.kind === "op") {
    const formula = opFormula(n.label).vjp;
    return { ...base, ...extra, kind: "op", label: `${n.label} backward`, formula };
  }
  if (n.kind === "output") return { ...base, ...extra, kind: "output", label: `${n.label}.grad` };
  if ((n.kind === "input" || n.kind === "parameter") && n.requiresGrad)
    return { ...base, ...extra, kind: n.kind, label: `${n.label}.grad` };
  return null;
}

/** Keeps the clusters that still hold a node or a cluster that does, renaming node ids. */
function reverseClusters(clusters: readonly GraphCluster[], kept: Set<string>): GraphCluster[] {
  const mapped = clusters.map((c) => ({
    ...c,
    nodeIds: c.nodeIds.filter((id) => kept.has(id)).map(backwardId),
  }));
  const alive = new Set(mapped.filter((c) => c.nodeIds.length > 0).map((c) => c.id));
  const byId = new Map(mapped.map((c) => [c.id, c]));
  for (const id of [...alive])
    for (let p = byId.get(id)?.parent ?? null; p !== null; p = byId.get(p)?.parent ?? null) alive.add(p);
  return mapped.filter((c) => alive.has(c.id));
}

/**
 * The reverse graph of a forward GraphModel: for each op a `<op> backward` node labelled with its
 * vector-Jacobian product (`mul backward: g·b, g·a`), for each output a seed (`output.grad`, the
 * gradient the sweep starts from), for each leaf that requires a gradient an accumulator (`a.grad`).
 * An edge runs from a backward node to the backward node of each input it sends a gradient to, with
 * the forward edge's `inputIndex` and gradient. Constants and inputs without gradients drop out.
 */
export function backwardGraph(forward: GraphModel): GraphModel {
  const nodes: GraphNode[] = [];
  const kept = new Set<string>();
  for (const n of [...forward.nodes].reverse()) {
    const b = backwardNode(n);
    if (!b) continue;
    nodes.push(b);
    kept.add(n.id);
  }
  const edges: GraphEdge[] = [];
  for (const e of [...forward.edges].reverse()) {
    if (!kept.has(e.from) || !kept.has(e.to)) continue;
    const edge: GraphEdge = { from: backwardId(e.to), to: backwardId(e.from), inputIndex: e.inputIndex };
    if (e.grad) edge.grad = e.grad;
    edges.push(edge);
  }
  return { direction: "backward", nodes, edges, clusters: reverseClusters(forward.clusters, kept) };
}
