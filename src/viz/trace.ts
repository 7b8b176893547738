// The backprop trace: the steps the engine's reverse sweep takes for one computation, in its order, with
// each op's local derivative and the gradients coming in and going out, as data, a text table and JSON.
// The animated HTML page is in trace-html.ts.
import type { Tensor } from "../tensor/tensor.js";
import { ChainruleError } from "../util/errors.js";
import { opFormula } from "./formulas.js";
import { captureInternal, type CaptureOptions } from "./graph.js";
import { fmtSummary, summarize, type GraphModel, type TensorSummary } from "./model.js";

/** The gradient one step sends to one input of its op. */
export interface TraceFlow {
  /** The input's node id (an op's id, or a leaf's). */
  nodeId: string;
  label: string;
  inputIndex: number;
  /** Summed to the input's shape; null where no gradient flows (e.g. a mask). */
  grad: TensorSummary | null;
}

/** One call of a backward rule. */
export interface TraceStep {
  /** 1-based position in the sweep. */
  step: number;
  nodeId: string;
  op: string;
  /** The local derivative in differentials, e.g. `d(a·b) = b da + a db`. */
  derivative: string;
  /** The vector-Jacobian product per input, e.g. `g·b, g·a`. */
  vjp: string;
  /** g: the gradient of the final output w.r.t. this op's output. */
  gradOutput: TensorSummary;
  gradInputs: TraceFlow[];
}

/** A whole reverse sweep: the forward graph (values and gradients), its steps, the leaves' gradients. */
export interface BackpropTrace {
  graph: GraphModel;
  steps: TraceStep[];
  leafGrads: { nodeId: string; label: string; grad: TensorSummary }[];
}

/**
 * Runs one reverse sweep from `output` (on its retained graph, leaving every `.grad` alone) and records
 * each step in the engine's own order — reverse topological: a node runs only after every node that
 * used its output. Tensors with at most `opts.maxValues` (default 8) elements keep their values.
 *
 * @example
 * const a = cr.tensor(2, { requiresGrad: true }), b = cr.tensor(-3, { requiresGrad: true });
 * const t = viz.traceBackward(a.mul(b).add(a).exp(), { names: { a, b } });
 * console.log(viz.traceToText(t)); // exp, then add, then mul
 */
export function traceBackward(output: Tensor, opts: CaptureOptions = {}): BackpropTrace {
  const full = { maxValues: 8, ...opts, grads: true };
  const c = captureInternal([output], full);
  if (!c.sweep)
    throw new ChainruleError(
      "traceBackward",
      `the output (shape [${output.shape}]) does not require grad, so there is no backward pass to trace`,
    );
  const sweep = c.sweep;
  const byId = new Map(c.model.nodes.map((n) => [n.id, n]));
  const idOf = (t: Tensor): string | undefined => (t.gradFn ? c.nodeIds.get(t.gradFn) : c.leafIds.get(t));
  const steps = sweep.order.map((node, i): TraceStep => {
    const f = opFormula(node.op);
    const ins = sweep.gradIn.get(node) ?? [];
    const gradInputs: TraceFlow[] = [];
    node.inputs.forEach((x, k) => {
      const id = idOf(x);
      if (id === undefined) return;
      const g = ins[k];
      const grad = g ? summarize(g, full.maxValues) : null;
      gradInputs.push({ nodeId: id, label: byId.get(id)?.label ?? "?", inputIndex: k, grad });
    });
    return {
      step: i + 1,
      nodeId: c.nodeIds.get(node) ?? "?",
      op: node.op,
      derivative: f.derivative,
      vjp: f.vjp,
      gradOutput: summarize(sweep.gradOut.get(node) as Tensor, full.maxValues),
      gradInputs,
    };
  });
  const leafGrads = c.model.nodes
    .filter((n) => (n.kind === "input" || n.kind === "parameter") && n.requiresGrad && n.grad)
    .map((n) => ({ nodeId: n.id, label: n.label, grad: n.grad as TensorSummary }));
  return { graph: c.model, steps, leafGrads };
}

function table(rows: string[][], header: string[]): string[] {
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => (r[j] ?? "").length)));
  const line = (r: string[]): string =>
    r
      .map((cell, j) => (j === r.length - 1 ? cell : cell.padEnd(widths[j])))
      .join("  ")
      .trimEnd();
  return [line(header), widths.map((w) => "─".repeat(w)).join("  "), ...rows.map(line)];
}

/**
 * The trace as a text table: one block per step (node, op, local derivative, the incoming gradient g and
 * the gradient sent to each input), then each leaf's final gradient.
 */
export function traceToText(trace: BackpropTrace): string {
  const rows: string[][] = [];
  for (const s of trace.steps) {
    const outs = s.gradInputs.map(
      (f) => `→ ${f.label} (${f.nodeId}): ${f.grad ? fmtSummary(f.grad) : "none"}`,
    );
    const first = outs.shift() ?? "";
    rows.push([String(s.step), s.nodeId, s.op, s.derivative, fmtSummary(s.gradOutput), first]);
    for (const o of outs) rows.push(["", "", "", "", "", o]);
  }
  const header = ["step", "node", "op", "local derivative", "incoming g", "gradient sent to each input"];
  const n = trace.steps.length;
  const lines = [
    `Backprop trace: ${n} step${n === 1 ? "" : "s"} in reverse topological order (a node runs after every node that used its output)`,
    "",
    ...table(rows, header),
  ];
  if (trace.leafGrads.length > 0) {
    lines.push("", "Gradients of the leaves:");
    const w = Math.max(...trace.leafGrads.map((l) => l.label.length));
    for (const l of trace.leafGrads) lines.push(`  ${l.label.padEnd(w)}  ${fmtSummary(l.grad)}`);
  }
  return lines.join("\n") + "\n";
}

/** The trace as JSON (graph, steps and leaf gradients; plain numbers and strings only). */
export function traceToJson(trace: BackpropTrace, space = 2): string {
  return JSON.stringify(trace, null, space);
}
