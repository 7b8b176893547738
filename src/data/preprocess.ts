// Preparing arrays for training: standardization fitted on training data, one-hot targets, and a
// shuffled train/test split of paired tensors.
import { randperm } from "../tensor/create.js";
import { allocate, type DType } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { check, fmtShape } from "../util/errors.js";
import { takeRows } from "./dataset.js";
import { withSeed } from "./seeded.js";

/**
 * Standardizes features column by column: x' = (x − mean) / std, with mean and std (population,
 * as sklearn's StandardScaler) taken over dim 0 unless given. Columns with std 0 are divided by 1.
 * Fit on the training set, then pass its mean and std when transforming the test set.
 *
 * Shape: x [N, …]; mean and std have x's shape without dim 0.
 *
 * @example
 * const train = standardize(xTrain);
 * const test = standardize(xTest, { mean: train.mean, std: train.std });
 */
export function standardize(
  x: Tensor,
  opts: { mean?: Tensor; std?: Tensor } = {},
): { x: Tensor; mean: Tensor; std: Tensor } {
  check(
    x.ndim >= 1,
    "standardize",
    () => `expected a tensor with a batch dim, got shape ${fmtShape(x.shape)}`,
  );
  check(
    (opts.mean === undefined) === (opts.std === undefined),
    "standardize",
    () => "pass both mean and std (from the training set), or neither",
  );
  const mean = opts.mean ?? x.mean(0);
  const std = opts.std ?? x.std(0, { unbiased: false });
  const safeStd = std.maskedFill(std.eq(0), 1);
  return { x: x.sub(mean).div(safeStd), mean, std: opts.std ?? safeStd };
}

/**
 * One-hot encoding: out[..., c] = 1 where labels[...] = c, else 0 (torch.nn.functional.one_hot,
 * which returns int64; ours is float32 by default, ready for a loss). `numClasses` defaults to
 * max(labels) + 1.
 *
 * Shape: labels [...] (int32) → [..., numClasses].
 */
export function oneHot(labels: Tensor, numClasses?: number, opts: { dtype?: DType } = {}): Tensor {
  check(labels.dtype === "int32", "oneHot", () => `labels must be an int32 tensor, got ${labels.dtype}`);
  const values = labels.toTypedArray();
  const c = numClasses ?? (values.length === 0 ? 0 : Math.max(...values) + 1);
  check(Number.isInteger(c) && c >= 1, "oneHot", () => `numClasses must be a positive integer, got ${c}`);
  const out = allocate(opts.dtype ?? "float32", values.length * c);
  values.forEach((v, i) => {
    check(v >= 0 && v < c, "oneHot", () => `label ${v} at position ${i} is outside [0, ${c})`);
    out[i * c + v] = 1;
  });
  return Tensor.fromData(out, [...labels.shape, c], opts.dtype ?? "float32");
}

/** The result of trainTestSplit. */
export interface TrainTestSplit {
  xTrain: Tensor;
  xTest: Tensor;
  yTrain: Tensor;
  yTest: Tensor;
}

/**
 * Splits paired samples x[i], y[i] into a training and a test part (sklearn's train_test_split).
 * `testSize` is a fraction in (0, 1) (rounded up, as sklearn does) or a count (default 0.25). The
 * rows are shuffled first (unless `shuffle: false`) from `seed`, without touching the global stream,
 * or from the global stream when no seed is given.
 */
export function trainTestSplit(
  x: Tensor,
  y: Tensor,
  opts: { testSize?: number; shuffle?: boolean; seed?: number } = {},
): TrainTestSplit {
  const n = x.shape[0];
  check(
    x.ndim >= 1 && y.ndim >= 1 && y.shape[0] === n,
    "trainTestSplit",
    () => `x and y must have the same size in dim 0, got ${fmtShape(x.shape)} and ${fmtShape(y.shape)}`,
  );
  const t = opts.testSize ?? 0.25;
  const nTest = Number.isInteger(t) ? t : Math.ceil(t * n);
  check(
    t > 0 && nTest > 0 && nTest < n,
    "trainTestSplit",
    () => `testSize must be a fraction in (0, 1) or a count in [1, ${n - 1}], got ${t}`,
  );
  const order =
    opts.shuffle === false
      ? Int32Array.from({ length: n }, (_, i) => i)
      : (withSeed(opts.seed, () => randperm(n)).data as Int32Array);
  const train = order.subarray(0, n - nTest);
  const test = order.subarray(n - nTest);
  return {
    xTrain: takeRows(x, train),
    xTest: takeRows(x, test),
    yTrain: takeRows(y, train),
    yTest: takeRows(y, test),
  };
}
