// Regressions for core bugs found while proving the ops against the golden vectors: reduce-kernel strides,
// create-graph retention, matmul NaN, scalar promotion, 0-d/empty edges. Each failed before its fix,
// except the two marked "guard", which pin the boundaries of a fix (NaN in the rewritten loop, retainGraph).
import { describe, expect, it } from "vitest";
import * as cr from "../../src/index.js";

const f64 = (data: number[], shape?: number[]) =>
  cr.tensor(Float64Array.from(data), { shape: shape ?? [data.length] });

describe("reduce kernel", () => {
  it("sums and maxes over size-1 dims (the walker drops them, leaving a stride-0 row)", () => {
    const x = f64([1, 2, 3], [3, 1]);
    expect(cr.sum(x, 1).toArray()).toEqual([1, 2, 3]);
    expect(cr.amax(x, 1).toArray()).toEqual([1, 2, 3]);
    expect(cr.amin(x, [0, 1], { keepdim: true }).toArray()).toEqual([[1]]);
    expect(cr.sum(cr.tensor(Float32Array.from([5]), { shape: [] })).item()).toBe(5);
  });

  it("reduces broadcast (stride-0) dims of an expanded view", () => {
    const x = cr.expand(f64([1, -2, 3], [3, 1]), [3, 4]);
    expect(cr.sum(x, 1).toArray()).toEqual([4, -8, 12]);
    expect(cr.amax(x, 1).toArray()).toEqual([1, -2, 3]);
    expect(cr.sum(x).item()).toBe(8);
  });

  it("keeps NaN through max and sum (guard)", () => {
    const x = f64([1, NaN, 3, 4], [2, 2]);
    expect(cr.amax(x, 1).toArray()).toEqual([NaN, 4]);
    expect(cr.sum(x, 0).toArray()).toEqual([4, NaN]);
  });
});

describe("createGraph", () => {
  it("keeps the graph (retainGraph defaults to createGraph), so the gradient can be differentiated", () => {
    const x = f64([0.5, -1]).requiresGrad_();
    const y = cr.sum(cr.mul(cr.mul(x, x), x)); // Σ x³
    const [g] = cr.gradients([y], [x], undefined, { createGraph: true }); // 3x²
    const [h] = cr.gradients([cr.sum(g)], [x]); // 6x
    expect(g.toArray()).toEqual([0.75, 3]);
    expect(h.toArray()).toEqual([3, -6]);
  });

  it("still frees the graph when retainGraph is explicitly false (guard)", () => {
    const x = f64([2]).requiresGrad_();
    const y = cr.sum(cr.exp(x));
    cr.gradients([y], [x], undefined, { createGraph: true, retainGraph: false });
    expect(() => cr.gradients([y], [x])).toThrow(/second time/);
  });
});

describe("matmul kernel", () => {
  it("gives 0·Inf = NaN whatever the operand layout", () => {
    const a = f64([0, 1], [1, 2]);
    const b = f64([Infinity, 1, 2, 3], [2, 2]);
    const rowMajor = cr.matmul(a, b).toArray();
    const transposed = cr.matmul(a, b.T.contiguous().T).toArray();
    expect(rowMajor).toEqual([[NaN, 3]]);
    expect(transposed).toEqual(rowMajor);
  });
});

describe("numbers beside int32/bool tensors", () => {
  it("promote like PyTorch's Python scalars instead of wrapping into the tensor's type", () => {
    const b = cr.tensor([true, false]);
    const i = cr.tensor(Int32Array.from([1, 2]));
    const sum = cr.add(b, 1.5);
    expect(sum.dtype).toBe("float32");
    expect(sum.toArray()).toEqual([2.5, 1.5]);
    const prod = cr.mul(b, 300);
    expect(prod.dtype).toBe("int32");
    expect(prod.toArray()).toEqual([300, 0]);
    expect(cr.sub(b, 1).toArray()).toEqual([0, -1]);
    expect(cr.sub(i, 0.5).toArray()).toEqual([0.5, 1.5]);
    expect(cr.mul(i, 3).dtype).toBe("int32");
  });
});

describe("0-d and empty edges", () => {
  const s = f64([1], []);
  it("refuses to cat, slice, select or narrow a 0-d tensor, naming the op", () => {
    expect(() => cr.cat([s, s])).toThrow(/^cat: 0-d/);
    expect(() => cr.slice(s, 0, 0, 1)).toThrow(/^slice: cannot slice a 0-d/);
    expect(() => cr.select(s, 0, 0)).toThrow(/^select: cannot select from a 0-d/);
    expect(() => cr.narrow(s, 0, 0, 1)).toThrow(/^narrow: cannot narrow a 0-d/);
  });

  it("logsumexp over an empty dim is log 0 = -inf, softmax of an empty row is empty (PyTorch)", () => {
    expect(cr.logsumexp(f64([]), 0).item()).toBe(-Infinity);
    expect(cr.logsumexp(cr.zeros([2, 0], { dtype: "float64" }), 1).toArray()).toEqual([-Infinity, -Infinity]);
    expect(cr.softmax(cr.zeros([3, 0]), 1).shape).toEqual([3, 0]);
  });
});
