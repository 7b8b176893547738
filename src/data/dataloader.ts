// DataLoader: batches of a Dataset in order or in a seeded shuffle, iterated with for…of or for await…of,
// and the default collate that stacks samples into batch tensors.
import { randperm, tensor } from "../tensor/create.js";
import { Tensor } from "../tensor/tensor.js";
import { stack } from "../ops/index.js";
import { ChainruleError, check } from "../util/errors.js";
import type { Collated, Dataset } from "./dataset.js";
import { drawSeed, epochSeed, withSeed } from "./seeded.js";

/** Options of a DataLoader (PyTorch's names in camelCase). */
export interface DataLoaderOptions<T, B> {
  /** Samples per batch (default 1). */
  batchSize?: number;
  /** Reshuffle the samples at the start of every epoch (default false). */
  shuffle?: boolean;
  /** Drop the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /** Turns a list of samples into a batch (default: defaultCollate). */
  collate?: (samples: T[]) => B;
  /**
   * Seed of the loader's own generator: epoch e is shuffled by a stream seeded from (seed, e), so the
   * order depends on nothing else and leaves the global stream untouched. Without it, each epoch
   * draws one 32-bit seed from the global stream (cr.manualSeed), as PyTorch's DataLoader does.
   */
  seed?: number;
}

/**
 * Stacks a list of samples into a batch: tensors along a new dim 0; numbers into a float32 tensor
 * (JavaScript cannot tell integers from floats: give class labels as int32 tensors); booleans into
 * a bool tensor; arrays and objects element by element; strings into an array.
 */
export function defaultCollate<T>(samples: readonly T[]): Collated<T> {
  return collateAny(samples as readonly unknown[]) as Collated<T>;
}

function collateAny(samples: readonly unknown[]): unknown {
  check(samples.length > 0, "defaultCollate", () => "cannot collate an empty batch");
  const first = samples[0];
  const same = (test: (s: unknown) => boolean, what: string): void =>
    samples.forEach((s, i) =>
      check(test(s), "defaultCollate", () => `sample ${i} is not ${what} like sample 0`),
    );
  if (first instanceof Tensor) {
    same((s) => s instanceof Tensor, "a Tensor");
    return stack(samples as Tensor[], 0);
  }
  if (typeof first === "number") {
    same((s) => typeof s === "number", "a number");
    return tensor(Float32Array.from(samples as number[]));
  }
  if (typeof first === "boolean") {
    same((s) => typeof s === "boolean", "a boolean");
    return tensor(samples as boolean[]);
  }
  if (typeof first === "string") {
    same((s) => typeof s === "string", "a string");
    return [...samples];
  }
  if (Array.isArray(first)) {
    same((s) => Array.isArray(s) && s.length === first.length, `an array of length ${first.length}`);
    return first.map((_, k) => collateAny(samples.map((s) => (s as unknown[])[k])));
  }
  if (first !== null && typeof first === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(first))
      out[key] = collateAny(samples.map((s) => (s as Record<string, unknown>)[key]));
    return out;
  }
  throw new ChainruleError("defaultCollate", `cannot collate samples of type ${typeof first}`);
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) =>
    typeof setImmediate === "function" ? setImmediate(resolve) : setTimeout(resolve, 0),
  );
}

/**
 * Iterates over a dataset in batches (torch.utils.data.DataLoader). Each `for…of` (or
 * `for await…of`, which yields to the event loop between batches so progress bars and servers stay
 * responsive) is one epoch; with `shuffle`, each epoch has its own order, reproducible from `seed`
 * or from the global stream (see DataLoaderOptions.seed). A dataset with `getBatch` (TensorDataset)
 * is batched in one gather per tensor unless a custom collate is given.
 *
 * @example
 * const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 16, shuffle: true, seed: 0 });
 * for (const [xb, yb] of loader) {
 *   // xb: [16, ...x.shape.slice(1)], yb: [16] (the last batch may be smaller): train on them here
 * }
 * const [xb, yb] = [...loader][0]; // [16, 784], [16]
 */
export class DataLoader<T, B = Collated<T>> implements Iterable<B>, AsyncIterable<B> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly seed: number | undefined;
  readonly #collate: ((samples: T[]) => B) | undefined;
  /** The number of epochs started so far; the next iteration shuffles as epoch `epoch`. */
  epoch = 0;

  constructor(
    readonly dataset: Dataset<T>,
    opts: DataLoaderOptions<T, B> = {},
  ) {
    this.batchSize = opts.batchSize ?? 1;
    check(
      Number.isInteger(this.batchSize) && this.batchSize >= 1,
      "DataLoader",
      () => `batchSize must be a positive integer, got ${opts.batchSize}`,
    );
    check(
      opts.seed === undefined || Number.isFinite(opts.seed),
      "DataLoader",
      () => `seed must be a finite number, got ${opts.seed}`,
    );
    this.shuffle = opts.shuffle ?? false;
    this.dropLast = opts.dropLast ?? false;
    this.seed = opts.seed;
    this.#collate = opts.collate;
  }

  /** The number of batches per epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** Sets the epoch counter (e.g. when resuming), which picks the next seeded shuffle. */
  setEpoch(epoch: number): void {
    check(Number.isInteger(epoch) && epoch >= 0, "setEpoch", () => `expected an epoch ≥ 0, got ${epoch}`);
    this.epoch = epoch;
  }

  /** The sample order of the next epoch, and advances the epoch counter. */
  #nextOrder(): Int32Array {
    const n = this.dataset.length;
    const epoch = this.epoch++;
    if (!this.shuffle) return Int32Array.from({ length: n }, (_, i) => i);
    const seed = this.seed === undefined ? drawSeed() : epochSeed(this.seed, epoch);
    return withSeed(seed, () => randperm(n)).data as Int32Array;
  }

  #batch(indices: Int32Array): B {
    if (this.#collate) return this.#collate(Array.from(indices, (i) => this.dataset.get(i)));
    if (this.dataset.getBatch) return this.dataset.getBatch(indices) as B;
    return defaultCollate(Array.from(indices, (i) => this.dataset.get(i))) as B;
  }

  *[Symbol.iterator](): Iterator<B> {
    const order = this.#nextOrder();
    for (let b = 0; b < this.length; b++)
      yield this.#batch(order.subarray(b * this.batchSize, (b + 1) * this.batchSize));
  }

  async *[Symbol.asyncIterator](): AsyncIterator<B> {
    const order = this.#nextOrder();
    for (let b = 0; b < this.length; b++) {
      if (b > 0) await yieldToEventLoop();
      yield this.#batch(order.subarray(b * this.batchSize, (b + 1) * this.batchSize));
    }
  }
}
