// DataLoader, TensorDataset, Subset and randomSplit: batching, dropLast, collate, seeded shuffles.
import { describe, expect, it } from "vitest";
import * as cr from "../../src/index.js";

const { DataLoader, TensorDataset, Dataset, Subset, randomSplit, defaultCollate } = cr.data;

function rows(n: number) {
  const x = cr.arange(n * 3).reshape([n, 3]);
  const y = cr.tensor(Int32Array.from({ length: n }, (_, i) => i));
  return { x, y, ds: new TensorDataset(x, y) };
}

const order = (loader: Iterable<cr.Tensor[]>): number[] =>
  [...loader].flatMap(([, y]) => [...y.toTypedArray()]);

class Squares extends Dataset<{ x: number; sq: cr.Tensor; name: string }> {
  get length(): number {
    return 5;
  }
  get(i: number) {
    return { x: i, sq: cr.tensor([i * i, -i]), name: `s${i}` };
  }
}

describe("TensorDataset", () => {
  it("indexes every tensor along dim 0", () => {
    const { ds } = rows(4);
    expect(ds.length).toBe(4);
    const [xi, yi] = ds.get(2);
    expect(xi.toArray()).toEqual([6, 7, 8]);
    expect(yi.shape).toEqual([]);
    expect(yi.item()).toBe(2);
    expect(() => ds.get(4)).toThrow(/index 4 is out of range for a dataset of length 4/);
  });

  it("refuses tensors whose first dims differ, naming the shapes", () => {
    expect(() => new TensorDataset(cr.zeros([3, 2]), cr.zeros([4]))).toThrow(
      /\[3,2\] but tensor 1 has \[4\]/,
    );
    expect(() => new TensorDataset()).toThrow(/at least one tensor/);
  });

  it("gathers a batch equal to stacking the samples, also from non-contiguous tensors", () => {
    const x = cr.arange(24).reshape([4, 6]).t(); // [6, 4], not contiguous
    const ds = new TensorDataset(x);
    const idx = Int32Array.from([5, 0, 3, 3]);
    const [fast] = ds.getBatch(idx);
    const slow = cr.stack([...idx].map((i) => ds.get(i)[0]));
    expect(fast.toArray()).toEqual(slow.toArray());
  });

  it("keeps gradients flowing through the batch of a tensor that requires them", () => {
    const w = cr.ones([3, 2], { requiresGrad: true });
    const [b] = new TensorDataset(w).getBatch(Int32Array.from([2, 2, 0]));
    b.sum().backward();
    expect(w.grad!.toArray()).toEqual([[1, 1], [0, 0], [2, 2]]); // prettier-ignore
  });
});

describe("DataLoader batching", () => {
  it("yields ceil(n / batchSize) batches in order, the last one smaller", () => {
    const { ds } = rows(10);
    const loader = new DataLoader(ds, { batchSize: 4 });
    const batches = [...loader];
    expect(loader.length).toBe(3);
    expect(batches.map(([x]) => x.shape)).toEqual([[4, 3], [4, 3], [2, 3]]); // prettier-ignore
    expect(batches[1][1].toArray()).toEqual([4, 5, 6, 7]);
    expect(batches[2][0].toArray()).toEqual([[24, 25, 26], [27, 28, 29]]); // prettier-ignore
    expect(batches[0][1].dtype).toBe("int32");
  });

  it("drops the short last batch with dropLast", () => {
    const { ds } = rows(10);
    const loader = new DataLoader(ds, { batchSize: 4, dropLast: true });
    expect(loader.length).toBe(2);
    expect([...loader].map(([, y]) => y.toArray())).toEqual([[0, 1, 2, 3], [4, 5, 6, 7]]); // prettier-ignore
    expect(new DataLoader(ds, { batchSize: 20, dropLast: true }).length).toBe(0);
    expect([...new DataLoader(ds, { batchSize: 20, dropLast: true })]).toEqual([]);
  });

  it("uses a custom collate on the samples instead of the fast path", () => {
    const { ds } = rows(5);
    const seen: number[] = [];
    const loader = new DataLoader(ds, {
      batchSize: 2,
      collate: (samples) => {
        seen.push(samples.length);
        return samples.map(([, y]) => y.item() * 10);
      },
    });
    expect([...loader]).toEqual([[0, 10], [20, 30], [40]]); // prettier-ignore
    expect(seen).toEqual([2, 2, 1]);
  });

  it("collates objects, numbers and strings by default", () => {
    const [b] = [...new DataLoader(new Squares(), { batchSize: 3 })];
    expect(b.x.dtype).toBe("float32");
    expect(b.x.toArray()).toEqual([0, 1, 2]);
    expect(b.sq.toArray()).toEqual([[0, -0], [1, -1], [4, -2]]); // prettier-ignore
    expect(b.name).toEqual(["s0", "s1", "s2"]);
    expect(
      defaultCollate([
        [cr.tensor([1]), true],
        [cr.tensor([2]), false],
      ])[1].dtype,
    ).toBe("bool");
    expect(() => defaultCollate([1, "a"] as unknown[])).toThrow(/sample 1 is not a number/);
  });

  it("validates its options", () => {
    const { ds } = rows(3);
    expect(() => new DataLoader(ds, { batchSize: 0 })).toThrow(/batchSize must be a positive integer, got 0/);
    expect(() => new DataLoader(ds, { batchSize: 1.5 })).toThrow(/batchSize/);
    expect(() => new DataLoader(ds, { seed: NaN })).toThrow(/seed must be a finite number/);
  });
});

describe("DataLoader shuffling", () => {
  it("visits every sample once per epoch, in a new order each epoch", () => {
    const { ds } = rows(50);
    const loader = new DataLoader(ds, { batchSize: 7, shuffle: true, seed: 1 });
    const e0 = order(loader);
    const e1 = order(loader);
    expect([...e0].sort((a, b) => a - b)).toEqual([...Array(50).keys()]);
    expect([...e1].sort((a, b) => a - b)).toEqual([...Array(50).keys()]);
    expect(e0).not.toEqual(e1);
    expect(e0).not.toEqual([...Array(50).keys()]);
  });

  it("with a seed: the same orders on every run, whatever the global stream does", () => {
    const { ds } = rows(30);
    cr.manualSeed(1);
    const a = new DataLoader(ds, { batchSize: 4, shuffle: true, seed: 42 });
    const runA = [order(a), order(a)];
    cr.manualSeed(999);
    cr.rand([17]);
    const b = new DataLoader(ds, { batchSize: 4, shuffle: true, seed: 42 });
    expect([order(b), order(b)]).toEqual(runA);
    const other = new DataLoader(ds, { batchSize: 4, shuffle: true, seed: 43 });
    expect(order(other)).not.toEqual(runA[0]);
  });

  it("with a seed: leaves the global stream untouched; setEpoch replays an epoch", () => {
    const { ds } = rows(30);
    const loader = new DataLoader(ds, { batchSize: 4, shuffle: true, seed: 7 });
    cr.manualSeed(5);
    const expected = cr.rand([3]).toArray();
    cr.manualSeed(5);
    const e0 = order(loader);
    order(loader);
    expect(cr.rand([3]).toArray()).toEqual(expected);
    loader.setEpoch(0);
    expect(order(loader)).toEqual(e0);
    expect(loader.epoch).toBe(1);
  });

  it("without a seed: orders follow cr.manualSeed and draw one number per epoch", () => {
    const { ds } = rows(30);
    cr.manualSeed(3);
    const first = [order(new DataLoader(ds, { batchSize: 5, shuffle: true }))];
    const after = cr.rand([2]).toArray();
    cr.manualSeed(3);
    expect([order(new DataLoader(ds, { batchSize: 5, shuffle: true }))]).toEqual(first);
    expect(cr.rand([2]).toArray()).toEqual(after);
    // the stream moved by exactly one 32-bit draw per epoch
    cr.manualSeed(3);
    cr.randint(0, 2, [1]);
    expect(cr.rand([2]).toArray()).toEqual(after);
  });
});

describe("DataLoader async iteration", () => {
  it("yields the same batches as sync iteration", async () => {
    const { ds } = rows(9);
    const sync = order(new DataLoader(ds, { batchSize: 2, shuffle: true, seed: 11 }));
    const got: number[] = [];
    for await (const [, y] of new DataLoader(ds, { batchSize: 2, shuffle: true, seed: 11 }))
      got.push(...y.toTypedArray());
    expect(got).toEqual(sync);
    expect(got.length).toBe(9);
  });

  it("yields to the event loop between batches", async () => {
    const { ds } = rows(6);
    let immediates = 0;
    const seen: number[] = [];
    const spin = (): void => {
      immediates++;
      if (immediates < 100) setImmediate(spin);
    };
    setImmediate(spin);
    for await (const _ of new DataLoader(ds, { batchSize: 1 })) seen.push(immediates);
    // a purely synchronous loop would see the same count for every batch
    expect(new Set(seen).size).toBeGreaterThan(1);
  });
});

describe("Subset and randomSplit", () => {
  it("splits into disjoint subsets covering the dataset, by counts or fractions", () => {
    const { ds } = rows(10);
    const [a, b] = randomSplit(ds, [7, 3], { seed: 0 });
    expect([a.length, b.length]).toEqual([7, 3]);
    const all = [...a.indices, ...b.indices].sort((p, q) => p - q);
    expect(all).toEqual([...Array(10).keys()]);
    expect(randomSplit(ds, [0.5, 0.3, 0.2], { seed: 0 }).map((s) => s.length)).toEqual([5, 3, 2]);
    // PyTorch: floor each fraction, then give the remainder round-robin from the first split
    expect(randomSplit(rows(11).ds, [0.25, 0.25, 0.5], { seed: 0 }).map((s) => s.length)).toEqual([3, 3, 5]);
  });

  it("is reproducible from a seed and refuses bad lengths", () => {
    const { ds } = rows(20);
    const s1 = randomSplit(ds, [15, 5], { seed: 4 })[1].indices;
    const s2 = randomSplit(ds, [15, 5], { seed: 4 })[1].indices;
    expect([...s1]).toEqual([...s2]);
    expect(() => randomSplit(ds, [15, 6])).toThrow(/summing to the dataset's length 20/);
  });

  it("a Subset of a TensorDataset batches through the base's fast path with mapped indices", () => {
    const { ds } = rows(6);
    const sub = new Subset(ds, [5, 1, 3]);
    expect(sub.get(0)[1].item()).toBe(5);
    expect(order(new DataLoader(sub, { batchSize: 2 }))).toEqual([5, 1, 3]);
    expect(sub.getBatch!(Int32Array.from([2, 0]))[0].toArray()).toEqual([[9, 10, 11], [15, 16, 17]]); // prettier-ignore
    expect(() => new Subset(ds, [6])).toThrow(/index 6 is out of range/);
  });
});
