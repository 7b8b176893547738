// The renderer-neutral graph model (nodes, edges, module clusters) shared by capture, DOT/SVG export and
// the backprop trace, and the small tensor summaries (shape, norm, a few values) that annotate it.
// Capturing lives in graph.ts; drawing in dot.ts.
import type { DType } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";

/** What a graph node stands for. */
export type NodeKind = "input" | "parameter" | "op" | "output" | "constant";

/** A tensor in a few numbers: its shape, its L2 norm and, when small, its values (row-major). */
export interface TensorSummary {
  shape: number[];
  dtype: DType;
  /** √(Σ xᵢ²) */
  norm: number;
  /** Every element, when there are at most `maxValues` of them. */
  values?: number[];
}

/** One node of a forward or backward graph. */
export interface GraphNode {
  id: string;
  kind: NodeKind;
  /** The op name (`mul`), parameter name (`fc1.weight`), input name, or constant's value. */
  label: string;
  shape: number[];
  dtype: DType;
  /** Whether gradients flow into this node (false for constants and inputs that do not require them). */
  requiresGrad: boolean;
  /** The value this node computed or holds. */
  value?: TensorSummary;
  /** Forward graph: the gradient of the output w.r.t. this node's value. Backward graph: the gradient
   * this node receives (for an accumulator, the leaf's final gradient). */
  grad?: TensorSummary;
  /** The dotted path of the innermost module whose forward created this node ("" = none). */
  module?: string;
  /** Backward graph: the vector-Jacobian product this node computes, e.g. `g·b, g·a`. */
  formula?: string;
  /** Backward graph: the forward node this one belongs to. */
  forwardId?: string;
}

/** `from` feeds input number `inputIndex` of `to` (in a backward graph: the gradient for that input). */
export interface GraphEdge {
  from: string;
  to: string;
  inputIndex: number;
  /** The gradient that flowed back along this edge (already summed to the input's shape). */
  grad?: TensorSummary;
}

/** A module, drawn as a box around the nodes its forward created; `parent` nests boxes. */
export interface GraphCluster {
  /** The module's dotted path (`encoder.fc1`). */
  id: string;
  /** e.g. `fc1: Linear` */
  label: string;
  parent: string | null;
  /** The nodes directly inside (not inside a child cluster). */
  nodeIds: string[];
}

/** A captured computation graph, forward (data flow) or backward (gradient flow). */
export interface GraphModel {
  direction: "forward" | "backward";
  nodes: GraphNode[];
  edges: GraphEdge[];
  clusters: GraphCluster[];
}

/** Summarizes a tensor (values copied when it has at most `maxValues` elements). */
export function summarize(t: Tensor, maxValues = 6): TensorSummary {
  const data = t.toTypedArray();
  let ss = 0;
  for (let i = 0; i < data.length; i++) ss += data[i] * data[i];
  const s: TensorSummary = { shape: [...t.shape], dtype: t.dtype, norm: Math.sqrt(ss) };
  if (data.length <= maxValues) s.values = Array.from(data, Number);
  return s;
}

/** A number in at most 4 significant digits (`0.1234`, `-2`, `1.5e-7`). */
export function fmtNum(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-4) return v.toExponential(2).replace(/\.?0+e/, "e");
  return String(Number(v.toPrecision(4)));
}

/** `[2, 3]`, or `scalar` for a 0-d shape. */
export function fmtShapeShort(shape: readonly number[]): string {
  return shape.length === 0 ? "scalar" : `[${shape.join(", ")}]`;
}

/** The values (`[1, -2.5]`, or `3` for one element) when known, else the shape and L2 norm. */
export function fmtSummary(s: TensorSummary): string {
  if (s.values) return s.values.length === 1 ? fmtNum(s.values[0]) : `[${s.values.map(fmtNum).join(", ")}]`;
  return `${fmtShapeShort(s.shape)}, norm ${fmtNum(s.norm)}`;
}
