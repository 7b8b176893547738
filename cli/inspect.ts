// What `eval`, `predict` and `summary` do with a trained model: metrics on the run's test split or a
// CSV, predictions for CSV rows or a PNG/PGM digit (MNIST models), and the layer table of a checkpoint
// or config. Their flags are parsed in commands.ts.
import { readFileSync, writeFileSync } from "node:fs";
import * as cr from "../src/index.js";
import { CliError, UsageError } from "./args.js";
import { chooseBackend, grouped, readCheckpoint, showMetric, type ReadCheckpoint } from "./common.js";
import type { TrainConfig } from "./config.js";
import { normalize, prepareData, shapeOf, type DataInfo, type Split } from "./data.js";
import { readGray, toMnistDigit } from "./image.js";
import { buildLoss, buildModel, describeModel } from "./model.js";

const { train } = cr;
type Tensor = cr.Tensor;

/** The trained model of a checkpoint. */
export function loadModel(ck: ReadCheckpoint): cr.nn.Sequential {
  const model = buildModel(ck.meta.model);
  model.loadStateDict(ck.info.modelState);
  return model;
}

/** Labelled rows of a CSV with the training columns, as the model's inputs and targets. */
function csvSplit(path: string, ck: ReadCheckpoint): Split {
  const { config, data: info } = ck.meta;
  const target = config.target ?? undefined;
  const d = cr.data.loadCsv(path, {
    target,
    targetType: info.task === "classification" ? "class" : "number",
  });
  const x = selectColumns(d.x, d.featureNames, info, path);
  if (!d.y || !target) throw new CliError(`${path} has no target column '${target}'`);
  if (info.task === "regression") return { x, y: d.y.reshape(-1, 1) };
  const classes = info.classes ?? [];
  const map = (d.classes ?? []).map((label) => {
    const k = classes.indexOf(label);
    if (k < 0)
      throw new CliError(`${path}: label '${label}' is not a class of this model (${classes.join(", ")})`);
    return k;
  });
  return {
    x,
    y: cr.tensor(
      Int32Array.from(d.y.toTypedArray(), (v) => map[v]),
      { dtype: "int32" },
    ),
  };
}

/** The model's feature columns of `x` (by name), normalized as in training. */
function selectColumns(x: Tensor, names: string[], info: DataInfo, path: string): Tensor {
  const want = info.featureNames ?? [];
  const idx = want.map((n) => names.indexOf(n));
  const missing = want.filter((_, i) => idx[i] < 0);
  if (missing.length > 0)
    throw new CliError(`${path} lacks the feature column(s) ${missing.map((m) => `'${m}'`).join(", ")}`);
  const cols = x.indexSelect(1, cr.tensor(Int32Array.from(idx), { dtype: "int32" }));
  return normalize(cols, info.normalization);
}

/** Metrics of a checkpoint's model on its test split or on a CSV (chainrule eval). */
export async function evaluateCheckpoint(o: {
  checkpoint: string;
  data?: string;
  json: boolean;
  backend?: string;
}): Promise<void> {
  chooseBackend(o.backend);
  const ck = readCheckpoint(o.checkpoint);
  const { config, data: info } = ck.meta;
  const csv = o.data;
  if (csv !== undefined && config.dataset !== "csv")
    throw new UsageError(`--data is for models trained on a CSV; this one was trained on ${config.dataset}`);
  const split = csv !== undefined ? csvSplit(csv, ck) : prepareData(config).test;
  const model = loadModel(ck);
  const classification = info.task === "classification";
  const metrics = train.evaluate(model, split, {
    loss: buildLoss(config, info.task),
    metrics: classification ? ["accuracy", "precision", "recall", "f1"] : ["mse", "mae", "r2"],
  });
  if (o.json)
    return void process.stdout.write(`${JSON.stringify({ samples: split.x.shape[0], ...metrics })}\n`);
  const lines = [
    `${describeModel(ck.meta.model)}, ${ck.epoch} epochs; ${grouped(split.x.shape[0])} samples (${csv ?? `${config.dataset === "csv" ? config.data : config.dataset} test split`})`,
  ];
  for (const [k, v] of Object.entries(metrics)) lines.push(`  ${k.padEnd(10)} ${showMetric(k, v)}`);
  if (classification && info.outputs <= 20) {
    const m = train.confusionMatrix(train.predict(model, split.x), split.y, info.outputs);
    const names = info.classes ?? [];
    const w = Math.max(5, ...names.map((n) => n.length), ...m.flat().map((v) => String(v).length)) + 1;
    lines.push("Confusion matrix (rows: true, columns: predicted):");
    lines.push(" ".repeat(w) + names.map((n) => n.padStart(w)).join(""));
    m.forEach((row, i) => lines.push(names[i].padStart(w) + row.map((v) => String(v).padStart(w)).join("")));
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}

/** Prediction lines for a batch of inputs: "row,prediction,probability[,class:p…]" or "row,prediction". */
function predictionRows(out: Tensor, info: DataInfo, top: number): string[] {
  if (info.task === "regression") {
    const v = out.toTypedArray();
    const k = info.outputs;
    return Array.from(
      { length: out.shape[0] },
      (_, i) => `${i},${Array.from(v.subarray(i * k, (i + 1) * k)).join(",")}`,
    );
  }
  const probs = out.softmax(1).toTypedArray();
  const c = info.outputs;
  const classes = info.classes ?? [];
  return Array.from({ length: out.shape[0] }, (_, i) => {
    const order = Array.from({ length: c }, (_, j) => j).sort((a, b) => probs[i * c + b] - probs[i * c + a]);
    const best = order[0];
    const extra = order.slice(1, top).map((j) => `${classes[j]}:${probs[i * c + j].toFixed(4)}`);
    return [i, classes[best], probs[i * c + best].toFixed(4), ...extra].join(",");
  });
}

/** The column names in the first line of a CSV file. */
function readHeader(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new CliError(`input file ${path} does not exist or cannot be read`);
  }
  return text
    .split(/\r?\n/, 1)[0]
    .split(",")
    .map((s) => s.trim().replace(/^"(.*)"$/, "$1"));
}

/** Predictions of a checkpoint's model for CSV rows or a digit image (chainrule predict). */
export async function predictInput(o: {
  checkpoint: string;
  input: string;
  top?: number;
  output?: string;
  backend?: string;
}): Promise<void> {
  chooseBackend(o.backend);
  const { input } = o;
  const ck = readCheckpoint(o.checkpoint);
  const info = ck.meta.data;
  const image = /\.(png|pgm)$/i.test(input);
  const top = o.top ?? (image ? 3 : 1);
  let x: Tensor;
  if (image) {
    if (!info.image)
      throw new CliError(
        `${input} is an image, but this model takes ${info.inputs} tabular features (give a CSV)`,
      );
    x = cr.tensor(toMnistDigit(readGray(input)), { shape: [1, 784] });
  } else {
    if (info.image)
      throw new CliError(`this model takes ${info.image.join("×")} images; give a .png or .pgm file`);
    const target = ck.meta.config.target;
    const header = readHeader(input);
    const d = cr.data.loadCsv(
      input,
      target && header.includes(target) ? { target, targetType: "class" } : {},
    );
    x = selectColumns(d.x, d.featureNames, info, input);
  }
  const rows = predictionRows(train.predict(loadModel(ck), x), info, Math.min(top, info.outputs));
  const head =
    info.task === "regression" ? "row,prediction" : `row,prediction,probability${top > 1 ? ",others" : ""}`;
  const text = `${head}\n${rows.join("\n")}\n`;
  const outPath = o.output;
  if (outPath) writeFileSync(outPath, text);
  else if (image) {
    const [, label, prob, ...others] = rows[0].split(",");
    process.stdout.write(
      `Prediction: ${label} (${(100 * Number(prob)).toFixed(1)}%)${others.length ? `; next: ${others.join(", ")}` : ""}\n`,
    );
  } else process.stdout.write(text);
}

/** The layer table of a checkpoint's model (path) or of a configured one (chainrule summary). */
export async function summarize(what: string | TrainConfig): Promise<void> {
  if (typeof what === "string") {
    const ck = readCheckpoint(what);
    const model = loadModel(ck);
    const test = ck.meta.test
      ? Object.entries(ck.meta.test)
          .map(([k, v]) => `${k} ${showMetric(k, v)}`)
          .join(", ")
      : "not tested";
    process.stdout.write(
      `${describeModel(ck.meta.model)}; trained ${ck.epoch} epochs on ${ck.meta.config.dataset}; test: ${test}\n` +
        `${model.summary([1, ck.meta.model.inputs])}\n`,
    );
    return;
  }
  const { inputs, outputs } = shapeOf(what);
  const { layers, activation, dropout, batchNorm } = what;
  const spec = { kind: "mlp" as const, inputs, layers, outputs, activation, dropout, batchNorm };
  process.stdout.write(`${describeModel(spec)}\n${buildModel(spec).summary([1, inputs])}\n`);
}
