// Datasets: the abstract Dataset (length + get), TensorDataset over tensors sharing dim 0, Subset, and
// randomSplit. Batching lives in dataloader.ts; the built-in data sets live in datasets/.
import { randperm } from "../tensor/create.js";
import { allocate } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { indexSelect } from "../ops/index.js";
import { check, fmtShape } from "../util/errors.js";
import { withSeed } from "./seeded.js";

/**
 * What the default collate makes of a list of samples of type T: tensors are stacked along a new
 * dim 0, numbers become a float32 tensor, booleans a bool tensor, and arrays/objects are collated
 * position by position / key by key. Strings stay a plain array.
 */
export type Collated<T> = T extends Tensor
  ? Tensor
  : T extends number | boolean
    ? Tensor
    : T extends string
      ? string[]
      : T extends readonly unknown[]
        ? { -readonly [K in keyof T]: Collated<T[K]> }
        : T extends object
          ? { [K in keyof T]: Collated<T[K]> }
          : never;

/**
 * A map from indices 0..length-1 to samples (torch.utils.data.Dataset). A subclass implements
 * `length` and `get(i)`; it may also implement `getBatch(indices)`, returning exactly what the
 * default collate would make of those samples, which DataLoader then uses instead of collating
 * one sample at a time (PyTorch's `__getitems__`).
 */
export abstract class Dataset<T> {
  /** The number of samples. */
  abstract get length(): number;
  /** The sample at `index` (0 ≤ index < length). */
  abstract get(index: number): T;
  /** Optional fast path: the collated batch of the samples at `indices`. */
  getBatch?(indices: Int32Array): Collated<T>;
}

function checkIndexArg(op: string, index: number, length: number): void {
  check(
    Number.isInteger(index) && index >= 0 && index < length,
    op,
    () => `index ${index} is out of range for a dataset of length ${length}`,
  );
}

/**
 * Rows `indices` of `t` along dim 0: a row copy for tensors outside autograd (the DataLoader's hot
 * path), indexSelect (differentiable) for tensors that require gradients.
 */
export function takeRows(t: Tensor, indices: Int32Array): Tensor {
  const n = t.shape[0];
  for (const i of indices) checkIndexArg("takeRows", i, n);
  if (t.requiresGrad || !t.isContiguous())
    return indexSelect(t, 0, Tensor.fromData(indices, [indices.length], "int32"));
  const row = n === 0 ? 0 : t.numel / n;
  const out = allocate(t.dtype, indices.length * row);
  const src = t.data;
  for (let k = 0; k < indices.length; k++) {
    const start = t.offset + indices[k] * row;
    out.set(src.subarray(start, start + row), k * row);
  }
  return Tensor.fromData(out, [indices.length, ...t.shape.slice(1)], t.dtype);
}

/**
 * A dataset of tensors that share their first dim: sample i is `[t0[i], t1[i], …]`
 * (torch.utils.data.TensorDataset). Batches are gathered from the whole tensors at once.
 *
 * @example
 * const ds = new TensorDataset(x, y); // x: [N, 784], y: [N]
 * const [xi, yi] = ds.get(0);          // xi: [784], yi: []
 */
export class TensorDataset extends Dataset<Tensor[]> {
  readonly tensors: readonly Tensor[];

  constructor(...tensors: Tensor[]) {
    super();
    check(tensors.length > 0, "TensorDataset", () => "expected at least one tensor");
    tensors.forEach((t, i) =>
      check(
        t.ndim >= 1 && t.shape[0] === tensors[0].shape[0],
        "TensorDataset",
        () =>
          `all tensors must have the same size in dim 0; tensor 0 has shape ${fmtShape(tensors[0].shape)} ` +
          `but tensor ${i} has ${fmtShape(t.shape)}`,
      ),
    );
    this.tensors = tensors.map((t) => (t.isContiguous() || t.requiresGrad ? t : t.contiguous()));
  }

  get length(): number {
    return this.tensors[0].shape[0];
  }

  get(index: number): Tensor[] {
    checkIndexArg("TensorDataset.get", index, this.length);
    return this.tensors.map((t) => t.select(0, index));
  }

  override getBatch(indices: Int32Array): Tensor[] {
    return this.tensors.map((t) => takeRows(t, indices));
  }
}

/** The samples of `dataset` at `indices`, in that order (torch.utils.data.Subset). */
export class Subset<T> extends Dataset<T> {
  readonly indices: Int32Array;

  constructor(
    readonly dataset: Dataset<T>,
    indices: ArrayLike<number>,
  ) {
    super();
    this.indices = Int32Array.from(indices);
    for (const i of this.indices) checkIndexArg("Subset", i, dataset.length);
    const base = dataset.getBatch?.bind(dataset);
    if (base) this.getBatch = (idx: Int32Array) => base(idx.map((i) => this.indices[i]));
  }

  get length(): number {
    return this.indices.length;
  }

  get(index: number): T {
    checkIndexArg("Subset.get", index, this.length);
    return this.dataset.get(this.indices[index]);
  }
}

/** Split sizes from counts (summing to n) or fractions (summing to 1; remainders go round-robin). */
function splitSizes(n: number, lengths: readonly number[]): number[] {
  check(lengths.length > 0, "randomSplit", () => "expected at least one length");
  const total = lengths.reduce((a, b) => a + b, 0);
  if (lengths.every((l) => Number.isInteger(l) && l >= 0) && total === n) return [...lengths];
  const fractions = lengths.every((l) => l >= 0 && l <= 1) && Math.abs(total - 1) < 1e-6;
  check(
    fractions,
    "randomSplit",
    () =>
      `lengths [${lengths.join(", ")}] must be non-negative integers summing to the dataset's length ${n}, ` +
      `or fractions summing to 1`,
  );
  const sizes = lengths.map((f) => Math.floor(f * n));
  let rest = n - sizes.reduce((a, b) => a + b, 0);
  for (let i = 0; rest > 0; i = (i + 1) % sizes.length, rest--) sizes[i]++;
  return sizes;
}

/**
 * Splits `dataset` into non-overlapping random subsets of the given sizes (counts summing to its
 * length, or fractions summing to 1 as in PyTorch, remainders given round-robin to the first splits).
 * With `seed` the split is the same on every run and leaves the global random stream untouched;
 * without it the permutation is drawn from the global stream (`cr.manualSeed`).
 *
 * @example
 * const [train, val] = randomSplit(ds, [0.8, 0.2], { seed: 0 });
 */
export function randomSplit<T>(
  dataset: Dataset<T>,
  lengths: readonly number[],
  opts: { seed?: number } = {},
): Subset<T>[] {
  const sizes = splitSizes(dataset.length, lengths);
  const perm = withSeed(opts.seed, () => randperm(dataset.length)).data as Int32Array;
  let start = 0;
  return sizes.map((s) => {
    const sub = new Subset(dataset, perm.subarray(start, start + s));
    start += s;
    return sub;
  });
}
