// Evaluation without training: evaluate() (mean loss and metrics over a data set) and predict()
// (the model's outputs in batches), both under noGrad in eval mode, restoring each module's mode after.
// Also the data arguments fit() and evaluate() accept, and how they become loaders.
import { noGrad } from "../autograd/grad-mode.js";
import { cat } from "../ops/index.js";
import { Tensor } from "../tensor/tensor.js";
import { DataLoader } from "../data/dataloader.js";
import { Dataset, TensorDataset } from "../data/dataset.js";
import type { Module } from "../nn/module.js";
import { check, fmtShape } from "../util/errors.js";
import { createMetric, type MetricSpec } from "./metrics.js";

/** A loss: a function of (output, target), or a loss module (nn.CrossEntropyLoss, …) with mean reduction. */
export type LossFunction =
  ((output: Tensor, target: Tensor) => Tensor) | { forward(output: Tensor, target: Tensor): Tensor };

/** Labelled data: tensors x [N, …] and y [N, …], a Dataset of [x, y] samples, or a DataLoader of [x, y] batches. */
export type LabelledData = { x: Tensor; y: Tensor } | Dataset<Tensor[]> | DataLoader<unknown, Tensor[]>;

/** Calls a LossFunction. */
export function callLoss(loss: LossFunction, output: Tensor, target: Tensor): Tensor {
  return typeof loss === "function" ? loss(output, target) : loss.forward(output, target);
}

/** A Dataset for {x, y} tensors; a Dataset as it is. */
export function asDataset(data: { x: Tensor; y: Tensor } | Dataset<Tensor[]>, op: string): Dataset<Tensor[]> {
  if (data instanceof Dataset) return data;
  check(
    data !== null && typeof data === "object" && data.x instanceof Tensor && data.y instanceof Tensor,
    op,
    () => "expected data as {x, y} tensors, a Dataset or a DataLoader",
  );
  check(
    data.x.ndim >= 1 && data.y.ndim >= 1 && data.x.shape[0] === data.y.shape[0],
    op,
    () => `x ${fmtShape(data.x.shape)} and y ${fmtShape(data.y.shape)} must have the same number of samples`,
  );
  return new TensorDataset(data.x, data.y);
}

/** A DataLoader over the data (a given DataLoader is used as it is). */
export function asLoader(
  data: LabelledData,
  op: string,
  opts: { batchSize: number; shuffle?: boolean; seed?: number },
): DataLoader<unknown, Tensor[]> {
  if (data instanceof DataLoader) return data;
  return new DataLoader(asDataset(data, op), opts) as DataLoader<unknown, Tensor[]>;
}

/** Runs `fn` in eval mode without gradients, then gives every module back its own training flag. */
export function inEvalMode<T>(model: Module, fn: () => T): T {
  const mods = model.modules();
  const modes = mods.map((m) => m.training);
  model.eval();
  try {
    return noGrad(fn);
  } finally {
    mods.forEach((m, i) => (m.training = modes[i]));
  }
}

/** The two tensors of a batch, with a readable error otherwise. */
export function splitBatch(batch: unknown, op: string): [Tensor, Tensor] {
  check(
    Array.isArray(batch) && batch.length >= 2 && batch[0] instanceof Tensor && batch[1] instanceof Tensor,
    op,
    () => "each batch must be [input, target] tensors",
  );
  return [batch[0] as Tensor, batch[1] as Tensor];
}

/** Options of evaluate(). */
export interface EvaluateOptions {
  /** The loss to average (per sample, assuming the loss is a batch mean); omitted: no "loss" entry. */
  loss?: LossFunction;
  metrics?: MetricSpec[];
  /** Batch size when the data are not a DataLoader (default 256). */
  batchSize?: number;
}

/**
 * The mean loss and the metrics of `model` over `data`: `{loss, accuracy, …}`. Runs in eval mode
 * (dropout off, running statistics) under noGrad, and restores every module's mode afterwards.
 *
 * @example
 * const { loss, accuracy } = evaluate(model, { x: xTest, y: yTest }, { loss: F.crossEntropy, metrics: ["accuracy"] });
 */
export function evaluate(
  model: Module,
  data: LabelledData,
  opts: EvaluateOptions = {},
): Record<string, number> {
  const loader = asLoader(data, "evaluate", { batchSize: opts.batchSize ?? 256 });
  const metrics = (opts.metrics ?? []).map(createMetric);
  metrics.forEach((m) => m.reset());
  let lossSum = 0;
  let n = 0;
  inEvalMode(model, () => {
    for (const batch of loader) {
      const [x, y] = splitBatch(batch, "evaluate");
      const out = model.forward(x);
      if (opts.loss) lossSum += callLoss(opts.loss, out, y).item() * x.shape[0];
      n += x.shape[0];
      for (const m of metrics) m.update(out, y);
    }
  });
  const logs: Record<string, number> = {};
  if (opts.loss) logs.loss = n === 0 ? NaN : lossSum / n;
  for (const m of metrics) logs[m.name] = m.compute();
  return logs;
}

/**
 * The model's outputs for every row of `x` [N, …], computed in batches (default 256) in eval mode
 * without gradients, concatenated along dim 0.
 */
export function predict(model: Module, x: Tensor, opts: { batchSize?: number } = {}): Tensor {
  const bs = opts.batchSize ?? 256;
  check(x.ndim >= 1, "predict", () => `expected inputs with a batch dim, got shape ${fmtShape(x.shape)}`);
  check(Number.isInteger(bs) && bs >= 1, "predict", () => `batchSize must be a positive integer, got ${bs}`);
  return inEvalMode(model, () => {
    const parts: Tensor[] = [];
    for (let i = 0; i < x.shape[0]; i += bs)
      parts.push(model.forward(x.slice(0, i, Math.min(i + bs, x.shape[0]))));
    if (parts.length === 0) return model.forward(x);
    return parts.length === 1 ? parts[0] : cat(parts, 0);
  });
}
