// standardize, oneHot and trainTestSplit.
import { describe, expect, it } from "vitest";
import * as cr from "../../src/index.js";

const { standardize, oneHot, trainTestSplit } = cr.data;

describe("standardize", () => {
  it("gives each column mean 0 and population std 1, fitted values reusable on test data", () => {
    const x = cr.tensor([[1, 10, 5], [2, 20, 5], [3, 60, 5]], { dtype: "float64" }); // prettier-ignore
    const fit = standardize(x);
    expect(fit.mean.toArray()).toEqual([2, 30, 5]);
    const sd1 = Math.sqrt(2 / 3);
    const sd2 = Math.sqrt((400 + 100 + 900) / 3);
    const std = fit.std.toArray() as number[];
    expect(std[0]).toBeCloseTo(sd1, 12);
    expect(std[1]).toBeCloseTo(sd2, 12);
    expect(std[2]).toBe(1); // a constant column is divided by 1, not 0
    const z = fit.x.toArray() as number[][];
    expect(z[0][0]).toBeCloseTo(-1 / sd1, 12);
    expect(z[2][1]).toBeCloseTo(30 / sd2, 12);
    expect(z.map((r) => r[2])).toEqual([0, 0, 0]);
    const test = standardize(cr.tensor([[4, 30, 6]], { dtype: "float64" }), { mean: fit.mean, std: fit.std });
    const t = test.x.toArray() as number[][];
    expect(t[0][0]).toBeCloseTo(2 / sd1, 12);
    expect(t[0][1]).toBeCloseTo(0, 12);
    expect(t[0][2]).toBe(1);
    expect(() => standardize(x, { mean: fit.mean })).toThrow(/pass both mean and std/);
  });
});

describe("oneHot", () => {
  it("encodes int32 labels as float32 rows", () => {
    const y = cr.tensor(Int32Array.from([2, 0, 1]));
    expect(oneHot(y, 4).toArray()).toEqual([[0, 0, 1, 0], [1, 0, 0, 0], [0, 1, 0, 0]]); // prettier-ignore
    expect(oneHot(y).shape).toEqual([3, 3]);
    expect(oneHot(y, 3, { dtype: "int32" }).dtype).toBe("int32");
    expect(oneHot(cr.tensor(Int32Array.from([1, 0]), { shape: [1, 2] }), 2).shape).toEqual([1, 2, 2]);
  });

  it("refuses non-int labels and labels out of range", () => {
    expect(() => oneHot(cr.tensor([1, 2]), 3)).toThrow(/labels must be an int32 tensor, got float32/);
    expect(() => oneHot(cr.tensor(Int32Array.from([0, 3])), 3)).toThrow(
      /label 3 at position 1 is outside \[0, 3\)/,
    );
  });
});

describe("trainTestSplit", () => {
  it("keeps pairs together, splits by fraction (rounded up) or count, reproducibly", () => {
    const n = 10;
    const x = cr.arange(n * 2).reshape([n, 2]);
    const y = cr.tensor(Int32Array.from({ length: n }, (_, i) => i));
    const s = trainTestSplit(x, y, { testSize: 0.25, seed: 1 });
    expect(s.xTrain.shape).toEqual([7, 2]);
    expect(s.xTest.shape).toEqual([3, 2]);
    const all = [...s.yTrain.toTypedArray(), ...s.yTest.toTypedArray()].sort((a, b) => a - b);
    expect(all).toEqual([...Array(n).keys()]);
    (s.xTest.toArray() as number[][]).forEach((row, i) => expect(row[0]).toBe(2 * s.yTest.toTypedArray()[i]));
    expect(trainTestSplit(x, y, { testSize: 0.25, seed: 1 }).yTest.toArray()).toEqual(s.yTest.toArray());
    expect(trainTestSplit(x, y, { testSize: 4, shuffle: false }).yTest.toArray()).toEqual([6, 7, 8, 9]);
  });

  it("refuses mismatched tensors and impossible sizes", () => {
    const x = cr.zeros([5, 2]);
    expect(() => trainTestSplit(x, cr.zeros([4]))).toThrow(/same size in dim 0, got \[5,2\] and \[4\]/);
    expect(() => trainTestSplit(x, cr.zeros([5]), { testSize: 5 })).toThrow(/testSize must be/);
    expect(() => trainTestSplit(x, cr.zeros([5]), { testSize: 0 })).toThrow(/testSize must be/);
  });
});
