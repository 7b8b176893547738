// The data of `chainrule train/eval/resume`: a dataset by name (or a CSV file), split into seeded
// train/validation/test parts, with tabular features standardized by training-set statistics that the
// checkpoint keeps (DataInfo) so that predict can prepare new rows the same way.
import { existsSync } from "node:fs";
import * as cr from "../src/index.js";
import { CliError } from "./args.js";
import type { TrainConfig } from "./config.js";

type Tensor = cr.Tensor;
const { data } = cr;

/** What a model needs to know about its data; saved with the checkpoint. */
export interface DataInfo {
  task: "classification" | "regression";
  inputs: number;
  outputs: number;
  /** Class names in index order (classification). */
  classes: string[] | null;
  /** Feature names in column order (tabular data). */
  featureNames: string[] | null;
  /** Per-feature mean and std applied to inputs: x' = (x − mean) / std. */
  normalization: { mean: number[]; std: number[] } | null;
  /** [height, width] for image data (MNIST): inputs are the pixels, row-major, in [0, 1]. */
  image: [number, number] | null;
}

export interface Split {
  x: Tensor;
  y: Tensor;
}

export interface Prepared {
  info: DataInfo;
  train: Split;
  validation: Split | null;
  test: Split;
}

interface Raw {
  x: Tensor;
  y: Tensor;
  classes: string[] | null;
  featureNames: string[] | null;
  image: [number, number] | null;
}

function loadRaw(c: TrainConfig): Raw {
  const opts = { noise: c.noise, seed: c.seed };
  const xy = (ds: { x: Tensor; y: Tensor }, classes: string[] | null): Raw => ({
    ...ds,
    classes,
    featureNames: ["x0", "x1"],
    image: null,
  });
  const numbered = (k: number): string[] => Array.from({ length: k }, (_, i) => String(i));
  switch (c.dataset) {
    case "mnist":
      return { ...data.mnist(), classes: numbered(10), featureNames: null, image: [28, 28] };
    case "iris": {
      const d = data.iris();
      return { x: d.x, y: d.y, classes: d.classNames, featureNames: d.featureNames, image: null };
    }
    case "xor":
      return xy(data.xor(c.samples, opts), numbered(2));
    case "moons":
      return xy(data.moons(c.samples, opts), numbered(2));
    case "circles":
      return xy(data.circles(c.samples, opts), numbered(2));
    case "spirals":
      return xy(data.spirals(c.samples, opts), numbered(2));
    case "blobs":
      return xy(data.blobs(c.samples, opts), numbered(3));
    case "csv":
      return loadCsvRaw(c.data ?? "", c.target ?? "");
  }
  return c.dataset satisfies never;
}

function loadCsvRaw(path: string, target: string): Raw {
  if (!existsSync(path)) throw new CliError(`data file ${path} does not exist`);
  const d = data.loadCsv(path, { target });
  if (d.y === null) throw new CliError(`${path}: no target column`);
  if (d.x.shape[1] === 0) throw new CliError(`${path}: no feature columns besides the target '${target}'`);
  const regression = d.classes === undefined;
  return {
    x: d.x,
    y: regression ? d.y.reshape(-1, 1) : d.y,
    classes: d.classes ?? null,
    featureNames: d.featureNames,
    image: null,
  };
}

/** Applies x' = (x − mean) / std. */
export function normalize(x: Tensor, n: DataInfo["normalization"]): Tensor {
  if (!n) return x;
  return x.sub(cr.tensor(n.mean)).div(cr.tensor(n.std));
}

/** Loads the configured dataset and splits it (seeded) into train, validation (if valSplit) and test. */
export function prepareData(c: TrainConfig): Prepared {
  const raw = loadRaw(c);
  const n = raw.x.shape[0];
  const nTest = Math.ceil(c.testSplit * n);
  const nVal = Math.ceil(c.valSplit * n);
  if (n - nTest - nVal < 1 || nTest < 1)
    throw new CliError(
      `${n} samples are too few for test split ${c.testSplit} and validation split ${c.valSplit}`,
    );
  const outer = data.trainTestSplit(raw.x, raw.y, { testSize: nTest, seed: c.seed });
  let train: Split = { x: outer.xTrain, y: outer.yTrain };
  let validation: Split | null = null;
  if (nVal > 0) {
    const inner = data.trainTestSplit(train.x, train.y, { testSize: nVal, seed: c.seed + 1 });
    train = { x: inner.xTrain, y: inner.yTrain };
    validation = { x: inner.xTest, y: inner.yTest };
  }
  let normalization: DataInfo["normalization"] = null;
  if (raw.image === null) {
    const s = data.standardize(train.x);
    normalization = { mean: Array.from(s.mean.toTypedArray()), std: Array.from(s.std.toTypedArray()) };
  }
  const regression = raw.classes === null;
  const info: DataInfo = {
    task: regression ? "regression" : "classification",
    inputs: raw.x.shape[1],
    outputs: regression ? raw.y.shape[1] : (raw.classes ?? []).length,
    classes: raw.classes,
    featureNames: raw.featureNames,
    normalization,
    image: raw.image,
  };
  const prep = (s: Split): Split => ({ x: normalize(s.x, normalization), y: s.y });
  return {
    info,
    train: prep(train),
    validation: validation && prep(validation),
    test: prep({ x: outer.xTest, y: outer.yTest }),
  };
}

/** The number of inputs and outputs of a config's model, without loading MNIST (for summary). */
export function shapeOf(c: TrainConfig): { inputs: number; outputs: number } {
  switch (c.dataset) {
    case "mnist":
      return { inputs: 784, outputs: 10 };
    case "iris":
      return { inputs: 4, outputs: 3 };
    case "blobs":
      return { inputs: 2, outputs: 3 };
    case "csv": {
      const info = prepareData(c).info;
      return { inputs: info.inputs, outputs: info.outputs };
    }
    default:
      return { inputs: 2, outputs: 2 };
  }
}
