// Graphviz DOT export of a GraphModel (styled by node kind, modules as nested `cluster_*` subgraphs,
// stable `id`s that survive into the SVG), and standalone SVG through @viz-js/viz (Graphviz compiled to
// WebAssembly), which is imported lazily so that nothing outside viz ever loads it.
import type { Viz } from "@viz-js/viz";
import { ChainruleError } from "../util/errors.js";
import {
  fmtNum,
  fmtShapeShort,
  fmtSummary,
  type GraphCluster,
  type GraphModel,
  type GraphNode,
  type TensorSummary,
} from "./model.js";

/** How a graph is drawn. */
export interface DotOptions {
  /** Layout direction: top to bottom (default) or left to right. */
  rankdir?: "TB" | "LR" | "BT" | "RL";
  /** A title drawn above the graph. */
  title?: string;
  /** Show small tensors' values in their nodes (default true). */
  showValues?: boolean;
  /** Show gradients (values when small, else norms) where they were captured (default true). */
  showGrads?: boolean;
  /** Label edges with the gradient that flowed along them (default: true for backward graphs). */
  edgeLabels?: boolean;
}

// Graphviz sizes boxes with the metrics of one named font, and a list makes it fall back to narrow Times:
// lay out with DejaVu Sans (among the widest sans fonts), then let the SVG fall back to whatever sans
// font the viewer has, which then fits.
const FONT = "DejaVu Sans";
const FONT_LIST = "DejaVu Sans,Verdana,Helvetica,Arial,sans-serif";

// prettier-ignore
const STYLE: Record<GraphNode["kind"], string> = {
  input: 'shape=ellipse, style=filled, fillcolor="#cfe3f7", color="#3b6e9e"',
  parameter: 'shape=box, style="filled", fillcolor="#d6eed3", color="#3f7f3a"',
  op: 'shape=box, style="rounded,filled", fillcolor="#fff3c4", color="#9a7b12"',
  output: 'shape=box, style="filled,bold", fillcolor="#f8d3d0", color="#a33b32"',
  constant: 'shape=box, style="filled,dashed", fillcolor="#f2f2f2", color="#999999", fontsize=9',
};
const BACKWARD_OP = 'shape=box, style="rounded,filled", fillcolor="#fde0c5", color="#b0631d"';

/** A DOT double-quoted string: backslashes and quotes escaped, newlines as `\n` line breaks. */
export function dotString(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\r?\n/g, "\\n")}"`;
}

/** `grad = [1, 2]` for small gradients, `‖grad‖ = 0.5` for others. */
function gradText(g: TensorSummary, name: string): string {
  return g.values ? `${name} = ${fmtSummary(g)}` : `‖${name}‖ = ${fmtNum(g.norm)}`;
}

/** The lines of a node's label. */
function labelLines(n: GraphNode, opts: DotOptions, backward: boolean): string[] {
  const lines = [n.label];
  if (n.formula) lines.push(n.formula);
  const dtype = n.dtype === "float32" ? "" : ` ${n.dtype}`;
  if (n.kind !== "constant" || n.shape.length > 0) lines.push(fmtShapeShort(n.shape) + dtype);
  if ((opts.showValues ?? true) && !backward && n.kind !== "constant" && n.value?.values)
    lines.push(`= ${fmtSummary(n.value)}`);
  if ((opts.showGrads ?? true) && n.grad) lines.push(gradText(n.grad, backward ? "g" : "grad"));
  return lines;
}

function nodeStatement(n: GraphNode, opts: DotOptions, backward: boolean): string {
  const label = labelLines(n, opts, backward).join("\n");
  const style = backward && n.kind === "op" ? BACKWARD_OP : STYLE[n.kind];
  return `${dotString(n.id)} [id=${dotString(n.id)}, label=${dotString(label)}, tooltip=${dotString(label)}, ${style}];`;
}

function clusterBlock(
  c: GraphCluster,
  index: Map<string, number>,
  children: Map<string | null, GraphCluster[]>,
  body: (ids: readonly string[], indent: string) => string[],
  indent: string,
): string[] {
  const inner = indent + "  ";
  const lines = [
    `${indent}subgraph ${dotString(`cluster_${index.get(c.id)}`)} {`,
    `${inner}label=${dotString(c.label)}; style="rounded,dashed"; color="#8a8a8a"; fontcolor="#444444"; fontsize=10; labeljust=l;`,
    ...body(c.nodeIds, inner),
  ];
  for (const k of children.get(c.id) ?? []) lines.push(...clusterBlock(k, index, children, body, inner));
  lines.push(`${indent}}`);
  return lines;
}

/**
 * The graph in Graphviz DOT. Inputs are blue ellipses, parameters green boxes, ops yellow (backward: orange)
 * rounded boxes, outputs red, constants grey and dashed; modules are nested `cluster_*` subgraphs. Every
 * node and edge has an `id` (`n3`, `e_n1_n3_0`) that Graphviz keeps in its SVG, for highlighting.
 */
export function toDot(model: GraphModel, opts: DotOptions = {}): string {
  const backward = model.direction === "backward";
  const edgeLabels = opts.edgeLabels ?? backward;
  const byId = new Map(model.nodes.map((n) => [n.id, n]));
  const index = new Map(model.clusters.map((c, i) => [c.id, i]));
  const children = new Map<string | null, GraphCluster[]>();
  for (const c of model.clusters) children.set(c.parent, [...(children.get(c.parent) ?? []), c]);
  const inCluster = new Set(model.clusters.flatMap((c) => c.nodeIds));
  const body = (ids: readonly string[], indent: string): string[] =>
    ids.flatMap((id) => {
      const n = byId.get(id);
      return n ? [indent + nodeStatement(n, opts, backward)] : [];
    });
  const lines = [
    `digraph ${dotString(model.direction)} {`,
    `  graph [rankdir=${opts.rankdir ?? "TB"}, fontname=${dotString(FONT)}, fontsize=12, nodesep=0.3, ranksep=0.35${
      opts.title ? `, label=${dotString(opts.title)}, labelloc=t, fontsize=14` : ""
    }];`,
    `  node [fontname=${dotString(FONT)}, fontsize=10, margin="0.12,0.04", height=0.3];`,
    `  edge [fontname=${dotString(FONT)}, fontsize=9, arrowsize=0.7, color="${backward ? "#b0631d" : "#555555"}"];`,
    ...body(
      model.nodes.filter((n) => !inCluster.has(n.id)).map((n) => n.id),
      "  ",
    ),
  ];
  for (const c of children.get(null) ?? []) lines.push(...clusterBlock(c, index, children, body, "  "));
  for (const e of model.edges) {
    const id = `e_${e.from}_${e.to}_${e.inputIndex}`;
    const label =
      edgeLabels && e.grad && (opts.showGrads ?? true) ? `, label=${dotString(gradText(e.grad, "g"))}` : "";
    lines.push(`  ${dotString(e.from)} -> ${dotString(e.to)} [id=${dotString(id)}${label}];`);
  }
  lines.push("}");
  return lines.join("\n") + "\n";
}

let engine: Promise<Viz> | null = null;

/** The Graphviz engine, loaded on first use. */
async function graphviz(): Promise<Viz> {
  engine ??= import("@viz-js/viz").then((m) => m.instance());
  return engine;
}

/**
 * Lays out a GraphModel (drawn by toDot with `opts`) or a DOT string with Graphviz's `dot` engine and
 * returns a standalone SVG document. Throws a ChainruleError carrying Graphviz's messages when the DOT
 * does not parse.
 */
export async function renderSvg(graph: GraphModel | string, opts: DotOptions = {}): Promise<string> {
  const dot = typeof graph === "string" ? graph : toDot(graph, opts);
  const viz = await graphviz();
  const result = viz.render(dot, { format: "svg", engine: "dot" });
  if (result.status !== "success")
    throw new ChainruleError(
      "renderSvg",
      `Graphviz could not lay out the graph: ${result.errors.map((e) => e.message).join("; ")}`,
    );
  return result.output.replaceAll(`font-family="${FONT}"`, `font-family="${FONT_LIST}"`);
}

/** The `<svg …>…</svg>` element of an SVG document (without XML prolog and doctype), for inlining in HTML. */
export function svgElement(svg: string): string {
  const at = svg.indexOf("<svg");
  return at < 0 ? svg : svg.slice(at);
}
