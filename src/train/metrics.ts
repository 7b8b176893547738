// Metrics of a model's outputs against targets: classification (accuracy, top-k, confusion matrix,
// macro precision/recall/F1) and regression (MSE, MAE, R²), as plain functions and as streaming
// Metric objects that fit() accumulates batch by batch. Computed in float64 on copies; no autograd.
import type { Tensor } from "../tensor/tensor.js";
import { ChainruleError, check, fmtShape } from "../util/errors.js";

/** A metric accumulated over batches: reset(), update() per batch, compute() for the value so far. */
export interface Metric {
  /** The key it is logged under (`accuracy`, `val_accuracy`, …). */
  readonly name: string;
  /** Whether a larger value is better (used by EarlyStopping/ModelCheckpoint's "auto" mode). */
  readonly higherIsBetter: boolean;
  reset(): void;
  update(output: Tensor, target: Tensor): void;
  /** The value over every sample since reset() (NaN before any). */
  compute(): number;
}

/** A metric by name: accuracy, top<k> (e.g. top5), precision, recall, f1, mse, mae, r2; or a Metric. */
export type MetricSpec = string | Metric;

/** Predicted classes of `output`: argmax over dim 1 of [N, C] logits, or (for [N] / [N, 1]) logit > 0. */
export function predictedClasses(output: Tensor): Int32Array {
  const op = "predictedClasses";
  check(
    output.ndim === 1 || output.ndim === 2,
    op,
    () => `expected [N, C] or [N], got ${fmtShape(output.shape)}`,
  );
  const v = output.toTypedArray();
  const n = output.shape[0];
  const c = output.ndim === 2 ? output.shape[1] : 1;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (c === 1) out[i] = v[i] > 0 ? 1 : 0;
    else {
      let best = 0;
      for (let j = 1; j < c; j++) if (v[i * c + j] > v[i * c + best]) best = j;
      out[i] = best;
    }
  }
  return out;
}

/** Class labels of `target` as integers (int32 indices, or a float 0/1 column for binary tasks). */
function labels(target: Tensor, n: number, op: string): Int32Array {
  const t = target.ndim === 2 && target.shape[1] === 1 ? target.reshape(-1) : target;
  check(
    t.ndim === 1 && t.shape[0] === n,
    op,
    () => `expected ${n} class labels (shape [${n}]), got a target of shape ${fmtShape(target.shape)}`,
  );
  const v = t.toTypedArray();
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    check(Number.isInteger(v[i]) && v[i] >= 0, op, () => `target ${i} is ${v[i]}, not a class index ≥ 0`);
    out[i] = v[i];
  }
  return out;
}

/** Fraction of samples whose predicted class (argmax of [N, C] logits) equals the int32 target [N]. */
export function accuracy(output: Tensor, target: Tensor): number {
  const pred = predictedClasses(output);
  const y = labels(target, pred.length, "accuracy");
  let hit = 0;
  for (let i = 0; i < y.length; i++) if (pred[i] === y[i]) hit++;
  return y.length === 0 ? NaN : hit / y.length;
}

/** Number of samples whose target's score is among the k largest of its row (ties count against). */
function topKHits(output: Tensor, target: Tensor, k: number): number {
  const op = "topKAccuracy";
  check(output.ndim === 2, op, () => `expected [N, C] scores, got ${fmtShape(output.shape)}`);
  check(Number.isInteger(k) && k >= 1, op, () => `k must be a positive integer, got ${k}`);
  const [n, c] = output.shape;
  const y = labels(target, n, op);
  const v = output.toTypedArray();
  let hits = 0;
  for (let i = 0; i < n; i++) {
    check(y[i] < c, op, () => `target ${i} is ${y[i]} but the output has ${c} classes`);
    const s = v[i * c + y[i]];
    let above = 0;
    for (let j = 0; j < c; j++) if (v[i * c + j] > s || (v[i * c + j] === s && j < y[i])) above++;
    if (above < k) hits++;
  }
  return hits;
}

/** Fraction of samples whose target class is among the k highest scores of [N, C] `output`. */
export function topKAccuracy(output: Tensor, target: Tensor, k: number): number {
  return output.shape[0] === 0 ? NaN : topKHits(output, target, k) / output.shape[0];
}

/**
 * The confusion matrix m[i][j] = number of samples of true class i predicted as class j (sklearn's
 * layout). `output` is [N, C] logits (argmax) or predicted labels as an int32 [N] tensor.
 */
export function confusionMatrix(output: Tensor, target: Tensor, numClasses?: number): number[][] {
  const op = "confusionMatrix";
  const given = output.dtype === "int32" && output.ndim === 1;
  const pred = given ? labels(output, output.shape[0], op) : predictedClasses(output);
  const y = labels(target, pred.length, op);
  let c = numClasses ?? (output.ndim === 2 ? output.shape[1] : 0);
  if (numClasses === undefined) for (let i = 0; i < y.length; i++) c = Math.max(c, y[i] + 1, pred[i] + 1);
  check(Number.isInteger(c) && c >= 1, op, () => `numClasses must be a positive integer, got ${c}`);
  const m = Array.from({ length: c }, () => new Array<number>(c).fill(0));
  for (let i = 0; i < y.length; i++) {
    check(
      y[i] < c && pred[i] < c,
      op,
      () => `sample ${i} has class ${Math.max(y[i], pred[i])} ≥ numClasses ${c}`,
    );
    m[y[i]][pred[i]]++;
  }
  return m;
}

/** Per-class and macro-averaged precision, recall and F1 of a confusion matrix. */
export interface ClassificationReport {
  precision: number;
  recall: number;
  f1: number;
  perClass: { precision: number; recall: number; f1: number; support: number }[];
}

/**
 * Macro precision, recall and F1 from a confusion matrix (rows true, columns predicted): per class
 * p = tp/(tp+fp), r = tp/(tp+fn), f1 = 2pr/(p+r) (0 where a denominator is 0, as sklearn's
 * zero_division=0), averaged over the classes that occur as a target or a prediction.
 */
export function classificationReport(matrix: readonly (readonly number[])[]): ClassificationReport {
  const c = matrix.length;
  const perClass = matrix.map((row, k) => {
    const tp = row[k];
    const support = row.reduce((a, b) => a + b, 0);
    const predicted = matrix.reduce((a, r) => a + r[k], 0);
    const precision = predicted === 0 ? 0 : tp / predicted;
    const recall = support === 0 ? 0 : tp / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { precision, recall, f1, support, present: support > 0 || predicted > 0 };
  });
  const present = perClass.filter((p) => p.present);
  const mean = (key: "precision" | "recall" | "f1"): number =>
    present.length === 0 ? NaN : present.reduce((a, p) => a + p[key], 0) / present.length;
  return {
    precision: mean("precision"),
    recall: mean("recall"),
    f1: mean("f1"),
    perClass: perClass
      .slice(0, c)
      .map(({ precision, recall, f1, support }) => ({ precision, recall, f1, support })),
  };
}

/** Macro precision, recall and F1 of `output` (logits or int32 labels) against int32 targets. */
export function precisionRecallF1(output: Tensor, target: Tensor, numClasses?: number): ClassificationReport {
  return classificationReport(confusionMatrix(output, target, numClasses));
}

/** Output and target as float64 arrays of the same length (a [N, 1] column matches [N]). */
function pairs(output: Tensor, target: Tensor, op: string): [ArrayLike<number>, ArrayLike<number>] {
  check(
    output.numel === target.numel,
    op,
    () =>
      `output ${fmtShape(output.shape)} and target ${fmtShape(target.shape)} hold different numbers of values`,
  );
  return [output.toTypedArray(), target.toTypedArray()];
}

/** Sums over samples that the regression metrics need: n, Σe², Σ|e|, Σy, Σy². */
interface RegressionSums {
  n: number;
  se: number;
  ae: number;
  sy: number;
  syy: number;
}

function addRegression(s: RegressionSums, output: Tensor, target: Tensor, op: string): void {
  const [o, t] = pairs(output, target, op);
  for (let i = 0; i < o.length; i++) {
    const e = o[i] - t[i];
    s.n++;
    s.se += e * e;
    s.ae += Math.abs(e);
    s.sy += t[i];
    s.syy += t[i] * t[i];
  }
}

function regressionSums(output: Tensor, target: Tensor, op: string): RegressionSums {
  const s = { n: 0, se: 0, ae: 0, sy: 0, syy: 0 };
  addRegression(s, output, target, op);
  return s;
}

/** R² from sums: 1 − Σ(y − ŷ)² / Σ(y − ȳ)² (NaN when every target is equal, as sklearn warns). */
function r2FromSums(s: RegressionSums): number {
  const ssTot = s.syy - (s.sy * s.sy) / s.n;
  return s.n === 0 || ssTot <= 0 ? NaN : 1 - s.se / ssTot;
}

/** Mean squared error: mean((ŷ − y)²) over every element. */
export function meanSquaredError(output: Tensor, target: Tensor): number {
  const s = regressionSums(output, target, "meanSquaredError");
  return s.n === 0 ? NaN : s.se / s.n;
}

/** Mean absolute error: mean(|ŷ − y|) over every element. */
export function meanAbsoluteError(output: Tensor, target: Tensor): number {
  const s = regressionSums(output, target, "meanAbsoluteError");
  return s.n === 0 ? NaN : s.ae / s.n;
}

/** Coefficient of determination R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)² over every element (sklearn's r2_score for one output). */
export function r2Score(output: Tensor, target: Tensor): number {
  return r2FromSums(regressionSums(output, target, "r2Score"));
}

/** A streaming metric over a running confusion matrix (accuracy, precision, recall, f1). */
class ConfusionMetric implements Metric {
  readonly higherIsBetter = true;
  #m: number[][] = [];
  constructor(
    readonly name: string,
    private readonly value: (m: number[][]) => number,
  ) {}
  reset(): void {
    this.#m = [];
  }
  update(output: Tensor, target: Tensor): void {
    const batch = confusionMatrix(output, target);
    const c = Math.max(batch.length, this.#m.length);
    const grown = Array.from({ length: c }, (_, i) =>
      Array.from({ length: c }, (_, j) => this.#m[i]?.[j] ?? 0),
    );
    batch.forEach((row, i) => row.forEach((v, j) => (grown[i][j] += v)));
    this.#m = grown;
  }
  compute(): number {
    return this.#m.length === 0 ? NaN : this.value(this.#m);
  }
}

function matrixAccuracy(m: number[][]): number {
  const total = m.reduce((a, r) => a + r.reduce((x, y) => x + y, 0), 0);
  return total === 0 ? NaN : m.reduce((a, r, i) => a + r[i], 0) / total;
}

class TopKMetric implements Metric {
  readonly higherIsBetter = true;
  #hits = 0;
  #n = 0;
  constructor(readonly k: number) {}
  get name(): string {
    return `top${this.k}`;
  }
  reset(): void {
    this.#hits = this.#n = 0;
  }
  update(output: Tensor, target: Tensor): void {
    this.#hits += topKHits(output, target, this.k);
    this.#n += output.shape[0];
  }
  compute(): number {
    return this.#n === 0 ? NaN : this.#hits / this.#n;
  }
}

class RegressionMetric implements Metric {
  #s: RegressionSums = { n: 0, se: 0, ae: 0, sy: 0, syy: 0 };
  constructor(
    readonly name: "mse" | "mae" | "r2",
    readonly higherIsBetter: boolean,
  ) {}
  reset(): void {
    this.#s = { n: 0, se: 0, ae: 0, sy: 0, syy: 0 };
  }
  update(output: Tensor, target: Tensor): void {
    addRegression(this.#s, output, target, this.name);
  }
  compute(): number {
    const s = this.#s;
    if (this.name === "r2") return r2FromSums(s);
    return s.n === 0 ? NaN : (this.name === "mse" ? s.se : s.ae) / s.n;
  }
}

/** The metric names fit() understands. */
export const METRIC_NAMES = ["accuracy", "top<k>", "precision", "recall", "f1", "mse", "mae", "r2"] as const;

/** A fresh streaming Metric for a name (see METRIC_NAMES) or the given Metric itself. */
export function createMetric(spec: MetricSpec): Metric {
  if (typeof spec !== "string") return spec;
  const topK = /^top(\d+)$/.exec(spec);
  if (topK) return new TopKMetric(Number(topK[1]));
  switch (spec) {
    case "accuracy":
      return new ConfusionMetric(spec, matrixAccuracy);
    case "precision":
    case "recall":
    case "f1":
      return new ConfusionMetric(spec, (m) => classificationReport(m)[spec]);
    case "mse":
    case "mae":
      return new RegressionMetric(spec, false);
    case "r2":
      return new RegressionMetric(spec, true);
  }
  throw new ChainruleError("metrics", `unknown metric '${spec}'; expected one of ${METRIC_NAMES.join(", ")}`);
}
