// `chainrule graph`: the forward or the reverse (backward) graph of a model, from a checkpoint or the same
// options as train, written as Graphviz DOT or laid out to SVG. The graph is the one autodiff records for
// a forward pass on a batch of zeros (and the loss on zero targets), with layers as nested clusters.
import { writeFileSync } from "node:fs";
import * as cr from "../src/index.js";
import { UsageError } from "./args.js";
import { readCheckpoint } from "./common.js";
import type { TrainConfig } from "./config.js";
import { prepareData, shapeOf, type DataInfo } from "./data.js";
import { loadModel } from "./inspect.js";
import { buildLoss, buildModel, type ModelSpec } from "./model.js";

export interface GraphOptions {
  out: string;
  backward: boolean;
  batch: number;
}

interface Built {
  model: cr.nn.Module;
  spec: ModelSpec;
  config: TrainConfig;
  task: DataInfo["task"];
}

function modelOf(what: string | TrainConfig): Built {
  if (typeof what === "string") {
    const ck = readCheckpoint(what);
    return { model: loadModel(ck), spec: ck.meta.model, config: ck.meta.config, task: ck.meta.data.task };
  }
  const { inputs, outputs } = shapeOf(what);
  const { layers, activation, dropout, batchNorm } = what;
  const spec: ModelSpec = { kind: "mlp", inputs, layers, outputs, activation, dropout, batchNorm };
  const task = what.dataset === "csv" ? prepareData(what).info.task : "classification";
  return { model: buildModel(spec), spec, config: what, task };
}

/** Writes the graph of `what` (a checkpoint path or a config) to `o.out` (.svg or .dot). */
export async function writeGraph(what: string | TrainConfig, o: GraphOptions): Promise<void> {
  const format = o.out.endsWith(".svg")
    ? "svg"
    : o.out.endsWith(".dot") || o.out.endsWith(".gv")
      ? "dot"
      : null;
  if (format === null) throw new UsageError(`--out must end in .svg or .dot, got '${o.out}'`);
  const { model, spec, config, task } = modelOf(what);
  model.eval();
  const x = cr.zeros([o.batch, spec.inputs]);
  const classification = task === "classification";
  const target = classification ? cr.zeros([o.batch], { dtype: "int32" }) : cr.zeros([o.batch, spec.outputs]);
  const lossFn = buildLoss(config, task);
  const forward = cr.viz.captureModule(model, x, { loss: (y) => lossFn.forward(y, target) });
  const graph = o.backward ? cr.viz.backwardGraph(forward) : forward;
  const title = `${o.backward ? "backward" : "forward"} graph, batch ${o.batch}`;
  const text = format === "svg" ? await cr.viz.renderSvg(graph, { title }) : cr.viz.toDot(graph, { title });
  writeFileSync(o.out, text);
  process.stdout.write(`wrote ${o.out} (${graph.nodes.length} nodes, ${graph.edges.length} edges)\n`);
}
