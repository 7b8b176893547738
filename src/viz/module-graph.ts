// Module capture: runs a model's forward on example inputs with a hook on every submodule, so that each
// recorded op is assigned to the innermost module whose forward created it; modules become nested
// clusters and parameters take their dotted names. Walking and gradients are graph.ts's.
import type { Node } from "../autograd/graph.js";
import { enableGrad } from "../autograd/grad-mode.js";
import type { Module } from "../nn/module.js";
import type { Tensor } from "../tensor/tensor.js";
import { captureInternal, type CaptureOptions, type Captured } from "./graph.js";
import type { GraphCluster, GraphModel } from "./model.js";

/** Options of captureModule: those of captureGraph, plus what to do with the model's output. */
export interface ModuleCaptureOptions extends Omit<CaptureOptions, "outputNames"> {
  /** Turns the model's output into the drawn root, e.g. `(y) => F.mseLoss(y, target)` (named `loss`). */
  loss?: (output: Tensor) => Tensor;
  /** Names of the example inputs (default `x`, or `x0`, `x1`, …). */
  inputNames?: string[];
}

interface Call {
  path: string;
  inputs: Tensor[];
  output: Tensor;
}

/** Runs the forward pass with a hook on every module, returning the output and each module call. */
function tracedForward(model: Module, inputs: readonly Tensor[]): { output: Tensor; calls: Call[] } {
  const calls: Call[] = [];
  const handles = model
    .namedModules()
    .map(([path, m]) =>
      m.registerForwardHook((_m, ins, output) => void calls.push({ path, inputs: ins, output })),
    );
  try {
    return { output: enableGrad(() => model.forward(...inputs)), calls };
  } finally {
    for (const h of handles) h.remove();
  }
}

/** The node ids of the ops (and constants) between a call's inputs and its output. */
function idsInside(call: Call, c: Captured, constants: Set<string>): string[] {
  const stopTensors = new Set(call.inputs);
  const stopNodes = new Set(call.inputs.map((t) => t.gradFn).filter((n): n is Node => n !== null));
  const seen = new Set<Node>();
  const out: string[] = [];
  const stack = [call.output];
  while (stack.length > 0) {
    const t = stack.pop() as Tensor;
    if (stopTensors.has(t)) continue;
    if (!t.gradFn) {
      const id = c.leafIds.get(t);
      if (id !== undefined && constants.has(id)) out.push(id);
      continue;
    }
    if (stopNodes.has(t.gradFn) || seen.has(t.gradFn)) continue;
    seen.add(t.gradFn);
    const id = c.nodeIds.get(t.gradFn);
    if (id !== undefined) out.push(id);
    stack.push(...t.gradFn.inputs);
  }
  return out;
}

const parentPath = (path: string): string => path.slice(0, Math.max(path.lastIndexOf("."), 0));

/** Nested clusters for the modules that own nodes (and their ancestors), the root module excluded. */
function buildClusters(model: Module, moduleOf: Map<string, string>, order: string[]): GraphCluster[] {
  const modules = new Map(model.namedModules());
  const used = new Set<string>();
  for (const path of moduleOf.values()) for (let p = path; p !== ""; p = parentPath(p)) used.add(p);
  const clusters: GraphCluster[] = [];
  for (const [path, m] of modules) {
    if (!used.has(path)) continue;
    let parent = parentPath(path);
    while (parent !== "" && !used.has(parent)) parent = parentPath(parent);
    const nodeIds = order.filter((id) => moduleOf.get(id) === path);
    clusters.push({ id: path, label: `${path}: ${m.constructor.name}`, parent: parent || null, nodeIds });
  }
  return clusters;
}

/** captureModule, keeping the capture's maps (for traces of a model). */
export function captureModuleInternal(
  model: Module,
  inputs: Tensor | readonly Tensor[],
  opts: ModuleCaptureOptions = {},
): Captured {
  const xs = Array.isArray(inputs) ? (inputs as readonly Tensor[]) : [inputs as Tensor];
  const { output, calls } = tracedForward(model, xs);
  const root = opts.loss ? enableGrad(() => (opts.loss as (y: Tensor) => Tensor)(output)) : output;
  const names = new Map<Tensor, string>();
  if (opts.names instanceof Map) for (const [t, n] of opts.names) names.set(t, n);
  else for (const [n, t] of Object.entries(opts.names ?? {})) names.set(t, n);
  const params = model.namedParameters();
  for (const [n, p] of params) if (!names.has(p)) names.set(p, n);
  xs.forEach((x, i) => names.set(x, opts.inputNames?.[i] ?? (xs.length === 1 ? "x" : `x${i}`)));
  const c = captureInternal([root], { ...opts, names, outputNames: [opts.loss ? "loss" : "output"] });
  const moduleOf = new Map<string, string>();
  for (const [n, p] of params) {
    const id = c.leafIds.get(p);
    if (id !== undefined && parentPath(n) !== "") moduleOf.set(id, parentPath(n));
  }
  const constants = new Set(c.model.nodes.filter((n) => n.kind === "constant").map((n) => n.id));
  for (const call of calls) {
    if (call.path === "") continue;
    for (const id of idsInside(call, c, constants)) if (!moduleOf.has(id)) moduleOf.set(id, call.path);
  }
  for (const n of c.model.nodes) {
    const path = moduleOf.get(n.id);
    if (path !== undefined) n.module = path;
  }
  c.model.clusters = buildClusters(
    model,
    moduleOf,
    c.model.nodes.map((n) => n.id),
  );
  return c;
}

/**
 * The graph of `model.forward(...inputs)` (and of `opts.loss` applied to its output), with each
 * submodule drawn as a cluster around the ops its forward recorded (innermost module wins), parameters
 * named by their dotted names (`fc1.weight`) and the inputs named `x` (or `opts.inputNames`).
 *
 * @example
 * const net = new nn.Sequential(new nn.Linear(2, 4), new nn.Tanh(), new nn.Linear(4, 1));
 * const g = viz.captureModule(net, cr.randn([8, 2]), { loss: (y) => y.square().mean() });
 */
export function captureModule(
  model: Module,
  inputs: Tensor | readonly Tensor[],
  opts: ModuleCaptureOptions = {},
): GraphModel {
  return captureModuleInternal(model, inputs, opts).model;
}
