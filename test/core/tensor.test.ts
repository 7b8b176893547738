// The Tensor itself: creation, the seeded random stream, read-out, printing, grad-mode switches and
// the autograd bookkeeping (accumulation, retainGraph, createGraph, long chains), dtypes and promotion.
import { describe, expect, it } from "vitest";
import * as cr from "../../src/index.js";

const nums = (t: cr.Tensor): number[] => Array.from(t.toTypedArray());
function gradOf(t: cr.Tensor): cr.Tensor {
  expect(t.grad).not.toBeNull();
  return t.grad as cr.Tensor;
}

describe("creation", () => {
  it("tensor() from nested arrays infers the shape; numbers give float32, booleans give bool", () => {
    const t = cr.tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.strides).toEqual([3, 1]);
    expect(t.dtype).toBe("float32");
    expect(t.data).toBeInstanceOf(Float32Array);
    expect(t.toArray()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const b = cr.tensor([[true], [false]]);
    expect(b.dtype).toBe("bool");
    expect(b.shape).toEqual([2, 1]);
    expect(b.toArray()).toEqual([[true], [false]]);
    expect(cr.tensor(2.5).shape).toEqual([]);
    expect(cr.tensor(2.5).item()).toBe(2.5);
    expect(cr.tensor([]).shape).toEqual([0]);
    expect(cr.tensor([[], []]).shape).toEqual([2, 0]);
    expect(cr.tensor([1, 2], { dtype: "float64" }).data).toBeInstanceOf(Float64Array);
    expect(cr.tensor([-3, 7], { dtype: "int32" }).toArray()).toEqual([-3, 7]);
  });

  it("bool tensors store 0/1 whatever number they are given", () => {
    const b = cr.tensor([0, 2, -0.5], { dtype: "bool" });
    expect(nums(b)).toEqual([0, 1, 1]);
    expect(nums(cr.tensor(new Float32Array([0, 3, 0.25]), { dtype: "bool" }))).toEqual([0, 1, 1]);
    expect(nums(cr.full([2], 5, { dtype: "bool" }))).toEqual([1, 1]);
    expect(nums(cr.tensor([true, false], { dtype: "float32" }))).toEqual([1, 0]);
  });

  it("tensor() wraps a typed array without copying; its dtype comes from the array", () => {
    const arr = new Float64Array([1, 2, 3, 4, 5, 6]);
    const t = cr.tensor(arr, { shape: [3, 2] });
    expect(t.dtype).toBe("float64");
    expect(t.data).toBe(arr);
    expect(t.toArray()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(cr.tensor(new Int32Array([1, 2])).dtype).toBe("int32");
    expect(cr.tensor(new Uint8Array([1, 0])).dtype).toBe("bool");
    const cast = cr.tensor(arr, { dtype: "float32" });
    expect(cast.data).toBeInstanceOf(Float32Array);
    expect(cast.shape).toEqual([6]);
  });

  it("zeros, ones, full, eye, arange, linspace", () => {
    expect(nums(cr.zeros([2, 2]))).toEqual([0, 0, 0, 0]);
    expect(cr.ones([3], { dtype: "int32" }).toArray()).toEqual([1, 1, 1]);
    expect(cr.full([2], 7.5, { dtype: "float64" }).toArray()).toEqual([7.5, 7.5]);
    expect(cr.zeros([]).shape).toEqual([]);
    expect(cr.zeros([3, 0]).numel).toBe(0);
    expect(cr.eye(2).toArray()).toEqual([
      [1, 0],
      [0, 1],
    ]);
    expect(cr.eye(2, 3).toArray()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
    ]);
    expect(cr.arange(4).toArray()).toEqual([0, 1, 2, 3]);
    expect(cr.arange(2, 5).toArray()).toEqual([2, 3, 4]);
    expect(cr.arange(1, 0, -0.25).toArray()).toEqual([1, 0.75, 0.5, 0.25]);
    expect(cr.arange(0, 1, 0.3, { dtype: "float64" }).toArray()).toEqual([0, 0.3, 0.6, 0.8999999999999999]);
    expect(cr.arange(5, 2).shape).toEqual([0]);
    expect(cr.arange(3, undefined, 1, { dtype: "int32" }).dtype).toBe("int32");
    expect(cr.linspace(0, 1, 5).toArray()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(cr.linspace(2, 3, 1).toArray()).toEqual([2]);
    expect(cr.linspace(2, 3, 0).shape).toEqual([0]);
  });

  it("*Like variants copy shape and dtype, and accept overrides", () => {
    const x = cr.ones([2, 3], { dtype: "float64" });
    for (const y of [cr.zerosLike(x), cr.onesLike(x), cr.fullLike(x, 4), cr.randLike(x), cr.randnLike(x)]) {
      expect(y.shape).toEqual([2, 3]);
      expect(y.dtype).toBe("float64");
      expect(y.requiresGrad).toBe(false);
    }
    expect(nums(cr.fullLike(x, 4))).toEqual([4, 4, 4, 4, 4, 4]);
    expect(cr.zerosLike(x, { dtype: "int32" }).dtype).toBe("int32");
    expect(cr.onesLike(x, { requiresGrad: true }).requiresGrad).toBe(true);
  });

  it("randint draws integers in [low, high) hitting every value; randperm is a permutation", () => {
    cr.manualSeed(7);
    const r = cr.randint(-2, 3, [10_000]);
    expect(r.dtype).toBe("int32");
    expect(new Set(nums(r))).toEqual(new Set([-2, -1, 0, 1, 2]));
    const p = cr.randperm(50);
    expect(p.dtype).toBe("int32");
    expect(nums(p).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(nums(p)).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(cr.randperm(0).shape).toEqual([0]);
  });
});

describe("the seeded random stream", () => {
  it("the same seed gives identical draws; different seeds differ", () => {
    const draw = () => [...nums(cr.rand([5])), ...nums(cr.randn([5])), ...nums(cr.randint(0, 1000, [5]))];
    cr.manualSeed(42);
    const a = draw();
    cr.manualSeed(42);
    const b = draw();
    cr.manualSeed(43);
    const c = draw();
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    expect(new Set(a.slice(0, 5)).size).toBe(5);
  });

  it("getRngState/setRngState resume the stream exactly, including a cached normal", () => {
    cr.manualSeed(3);
    cr.randn([3]); // odd count: the second Box–Muller value is cached
    const state = cr.getRngState();
    const first = [...nums(cr.randn([4], { dtype: "float64" })), ...nums(cr.rand([4], { dtype: "float64" }))];
    cr.manualSeed(999);
    cr.rand([10]);
    cr.setRngState(state);
    const again = [...nums(cr.randn([4], { dtype: "float64" })), ...nums(cr.rand([4], { dtype: "float64" }))];
    expect(again).toEqual(first);
  });

  it("rand is uniform on [0,1) and randn standard normal (100k samples)", () => {
    cr.manualSeed(0);
    const u = nums(cr.rand([100_000], { dtype: "float64" }));
    const meanU = u.reduce((a, b) => a + b, 0) / u.length;
    const varU = u.reduce((a, b) => a + (b - meanU) ** 2, 0) / u.length;
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    expect(Math.abs(meanU - 0.5)).toBeLessThan(0.005); // σ of the mean ≈ 0.0009
    expect(Math.abs(varU - 1 / 12)).toBeLessThan(0.002);
    const z = cr.randn([100_000], { dtype: "float64" });
    expect(Math.abs(z.mean().item())).toBeLessThan(0.015); // σ of the mean ≈ 0.003
    expect(Math.abs(z.std().item() - 1)).toBeLessThan(0.015);
    const tail = nums(z).filter((v) => Math.abs(v) > 1.96).length / 100_000;
    expect(Math.abs(tail - 0.05)).toBeLessThan(0.005);
  });
});

describe("read-out", () => {
  it("toArray, item and toTypedArray on views read the elements in logical order", () => {
    const x = cr.arange(6).reshape(2, 3);
    const t = x.T;
    expect(t.toArray()).toEqual([
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
    const flat = t.toTypedArray();
    expect(Array.from(flat)).toEqual([0, 3, 1, 4, 2, 5]);
    expect(flat).toBeInstanceOf(Float32Array);
    flat[0] = 100; // a fresh copy, not the storage
    expect(x.toArray()).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    expect(x.select(1, 2).select(0, 1).item()).toBe(5);
    expect(cr.tensor([[7]]).item()).toBe(7);
    expect(cr.zeros([2, 0]).toArray()).toEqual([[], []]);
    expect(cr.tensor([1, 0]).gt(0.5).toArray()).toEqual([true, false]);
  });

  it("size(), numel, ndim, isContiguous", () => {
    const x = cr.zeros([2, 3, 4]);
    expect(x.size()).toEqual([2, 3, 4]);
    expect(x.size(-1)).toBe(4);
    expect(x.numel).toBe(24);
    expect(x.ndim).toBe(3);
    expect(x.isContiguous()).toBe(true);
    expect(x.transpose(0, 2).isContiguous()).toBe(false);
    expect(x.transpose(0, 2).contiguous().isContiguous()).toBe(true);
  });
});

describe("printing in PyTorch's layout", () => {
  it("a matrix that requires grad", () => {
    const t = cr.tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { requiresGrad: true },
    );
    expect(String(t)).toBe("tensor([[1.0000, 2.0000],\n        [3.0000, 4.0000]], requiresGrad=true)");
    expect(String(t.mul(2))).toBe("tensor([[2.0000, 4.0000],\n        [6.0000, 8.0000]], gradFn=<mul>)");
  });

  it("scalars, dtypes, alignment, nan/inf, bools and empty tensors", () => {
    expect(String(cr.tensor(3.5))).toBe("tensor(3.5000)");
    expect(String(cr.tensor([1.5, -2.25], { dtype: "float64" }))).toBe(
      "tensor([ 1.5000, -2.2500], dtype=float64)",
    );
    expect(String(cr.tensor([1, 10, 100]))).toBe("tensor([  1.0000,  10.0000, 100.0000])");
    expect(String(cr.tensor([NaN, Infinity, -1.5]))).toBe("tensor([    nan,     inf, -1.5000])");
    expect(String(cr.tensor([1, 20], { dtype: "int32" }))).toBe("tensor([ 1, 20])");
    expect(String(cr.tensor([true, false]))).toBe("tensor([ true, false])");
    expect(String(cr.zeros([0]))).toBe("tensor([])");
    expect(String(cr.zeros([2, 0]))).toBe("tensor([], size=[2,0])");
    expect(String(cr.zeros([0], { dtype: "int32" }))).toBe("tensor([], dtype=int32)");
  });

  it("scientific notation as PyTorch decides it (range > 1000×, > 1e8, or < 1e-4)", () => {
    expect(String(cr.tensor([1e-5, 1]))).toBe("tensor([1.0000e-05, 1.0000e+00])");
    expect(String(cr.tensor([0.5, 2000.5]))).toBe("tensor([5.0000e-01, 2.0005e+03])");
    expect(String(cr.tensor([1, 1000]))).toBe("tensor([   1.0000, 1000.0000])");
    expect(String(cr.tensor([0, 0]))).toBe("tensor([0.0000, 0.0000])");
  });

  it("3-d blocks are separated by a blank line", () => {
    expect(String(cr.arange(8).reshape(2, 2, 2))).toBe(
      "tensor([[[0.0000, 1.0000],\n         [2.0000, 3.0000]],\n\n        [[4.0000, 5.0000],\n         [6.0000, 7.0000]]])",
    );
  });

  it("long rows wrap at 80 characters; more than 1000 elements are summarized", () => {
    const lines = String(cr.arange(20)).split("\n");
    expect(lines[0]).toBe("tensor([ 0.0000,  1.0000,  2.0000,  3.0000,  4.0000,  5.0000,  6.0000,  7.0000,");
    expect(lines[1]).toBe("         8.0000,  9.0000, 10.0000, 11.0000, 12.0000, 13.0000, 14.0000, 15.0000,");
    expect(lines[2]).toBe("        16.0000, 17.0000, 18.0000, 19.0000])");
    expect(String(cr.arange(2000, undefined, 1, { dtype: "int32" }))).toBe(
      "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])",
    );
    const m = String(cr.arange(2000, undefined, 1, { dtype: "int32" }).reshape(40, 50)).split("\n");
    expect(m).toEqual([
      "tensor([[   0,    1,    2,  ...,   47,   48,   49],",
      "        [  50,   51,   52,  ...,   97,   98,   99],",
      "        [ 100,  101,  102,  ...,  147,  148,  149],",
      "        ...,",
      "        [1850, 1851, 1852,  ..., 1897, 1898, 1899],",
      "        [1900, 1901, 1902,  ..., 1947, 1948, 1949],",
      "        [1950, 1951, 1952,  ..., 1997, 1998, 1999]])",
    ]);
  });
});

describe("grad mode and graph bookkeeping", () => {
  it("noGrad records nothing; enableGrad records inside it; both restore the mode", () => {
    const x = cr.ones([2], { requiresGrad: true });
    const y = cr.noGrad(() => x.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    const z = cr.noGrad(() => cr.enableGrad(() => x.mul(2)));
    expect(z.gradFn?.op).toBe("mul");
    expect(cr.isGradEnabled()).toBe(true);
    expect(() =>
      cr.noGrad(() => {
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(cr.isGradEnabled()).toBe(true);
  });

  it("detach shares storage but leaves the graph; requiresGrad_ makes a leaf", () => {
    const x = cr.ones([3], { requiresGrad: true });
    const y = x.mul(2);
    const d = y.detach();
    expect(d.storage).toBe(y.storage);
    expect(d.requiresGrad).toBe(false);
    expect(d.gradFn).toBeNull();
    expect(d.mul(3).requiresGrad).toBe(false);
    const w = cr.zeros([2]);
    expect(w.isLeaf).toBe(true);
    expect(w.requiresGrad_()).toBe(w);
    expect(w.requiresGrad).toBe(true);
    w.requiresGrad_(false);
    expect(w.mul(2).requiresGrad).toBe(false);
  });

  it("retainGrad keeps the gradient of a non-leaf", () => {
    const x = cr.tensor([1, 2, 3], { requiresGrad: true });
    const h = x.mul(2);
    h.retainGrad();
    const other = x.mul(3);
    h.mul(h).sum().backward();
    expect(nums(gradOf(h))).toEqual([4, 8, 12]); // 2h
    expect(other.grad).toBeNull();
    expect(nums(gradOf(x))).toEqual([8, 16, 24]); // 8x
    // like a leaf's, a retained grad accumulates over backward passes
    const k = x.mul(1);
    k.retainGrad();
    const s = k.sum();
    s.backward(undefined, { retainGraph: true });
    s.backward();
    expect(nums(gradOf(k))).toEqual([2, 2, 2]);
  });

  it("gradients accumulate across backward calls; retainGraph allows a second pass", () => {
    const x = cr.tensor([1, 2], { requiresGrad: true });
    x.mul(x).sum().backward();
    x.mul(3).sum().backward();
    expect(nums(gradOf(x))).toEqual([5, 7]); // 2x + 3
    x.grad = null;
    const y = x.exp().sum();
    y.backward(undefined, { retainGraph: true });
    y.backward();
    expect(nums(gradOf(x))).toEqual(nums(x.exp().mul(2)));
  });

  it("a leaf's grad owns contiguous storage (not a broadcast view, never shared)", () => {
    const a = cr.tensor([1, 2, 3], { requiresGrad: true });
    const b = cr.tensor([4, 5, 6], { requiresGrad: true });
    a.add(b).sum().backward();
    const [ga, gb] = [a.grad as cr.Tensor, b.grad as cr.Tensor];
    expect(ga.isContiguous() && ga.data.length === 3).toBe(true);
    expect(ga.storage).not.toBe(gb.storage);
    cr.noGrad(() => ga.mul_(10));
    expect(nums(gb)).toEqual([1, 1, 1]);
    const g = cr.tensor([1, 1, 1]);
    const c = cr.tensor([0, 0, 0], { requiresGrad: true });
    c.backward(g);
    cr.noGrad(() => gradOf(c).zero_());
    expect(nums(g)).toEqual([1, 1, 1]);
  });

  it("createGraph gives a differentiable gradient: d²(x³)/dx² = 6x", () => {
    const x = cr.tensor([2, -1], { requiresGrad: true, dtype: "float64" });
    const y = x.mul(x).mul(x).sum();
    const [g] = cr.gradients([y], [x], [], { createGraph: true });
    expect(nums(g)).toEqual([12, 3]); // 3x²
    expect(g.requiresGrad).toBe(true);
    g.sum().backward();
    expect(nums(gradOf(x))).toEqual([12, -6]);

    const z = cr.tensor([3], { requiresGrad: true, dtype: "float64" });
    z.pow(3).sum().backward(undefined, { createGraph: true });
    const first = z.grad as cr.Tensor;
    expect(first.item()).toBe(27);
    z.grad = null;
    first.backward();
    expect(gradOf(z).item()).toBeCloseTo(18, 12);
  });

  it("a chain of 200,000 ops backpropagates without overflowing the stack", () => {
    const x = cr.tensor([1], { requiresGrad: true, dtype: "float64" });
    let y = x;
    for (let i = 0; i < 200_000; i++) y = i % 2 === 0 ? y.add(1) : y.mul(1);
    y.sum().backward();
    expect(gradOf(x).item()).toBe(1);
    expect(y.item()).toBe(100_001);
  }, 20_000);
});

describe("dtypes", () => {
  it("float32 is the default and stays float32 through ops with JS numbers", () => {
    const x = cr.tensor([1, 2, 3]);
    for (const y of [x.add(1), x.mul(0.5), x.div(3), x.exp(), x.softmax(0), x.mean(), x.pow(2), cr.rand([2])])
      expect(y.dtype).toBe("float32");
    expect(x.add(1e-9).toArray()).toEqual([1, 2, 3]); // float32 rounding
  });

  it("float64 is preserved through every kind of op", () => {
    const x = cr.tensor([1, 2, 3], { dtype: "float64", requiresGrad: true });
    const m = cr.tensor([[1, 0, 0]], { dtype: "float64" });
    const results = [
      x.add(1e-12),
      x.exp().log(),
      x.softmax(0),
      x.logSoftmax(0),
      x.mean(),
      x.var(),
      x.amax(),
      x.max(0).values,
      x.clamp(1.5, 2.5),
      x.relu(),
      x.sigmoid(),
      x.reshape(3, 1).matmul(m),
      cr.cat([x, x]),
      cr.where(x.gt(1), x, 0),
      x.maximum(2),
      x.gather(0, cr.tensor([2, 0], { dtype: "int32" })),
    ];
    for (const y of results) expect(y.dtype).toBe("float64");
    expect(nums(x.add(1e-12).sub(x))[0]).toBeCloseTo(1e-12, 15); // lost entirely in float32
    x.sigmoid().sum().backward();
    expect(gradOf(x).dtype).toBe("float64");
  });

  it("promotion: float32+float64 → float64, int32+float32 → float32, int32/int32 → float32, comparisons → bool", () => {
    const f32 = cr.tensor([1, 2]);
    const f64 = cr.tensor([1, 2], { dtype: "float64" });
    const i32 = cr.tensor([3, 4], { dtype: "int32" });
    const b = cr.tensor([true, false]);
    expect(f32.add(f64).dtype).toBe("float64");
    expect(f64.mul(f32).dtype).toBe("float64");
    expect(i32.add(f32).dtype).toBe("float32");
    expect(i32.add(f64).dtype).toBe("float64");
    expect(i32.add(i32).dtype).toBe("int32");
    expect(i32.mul(2).dtype).toBe("int32");
    expect(i32.mul(2.5).dtype).toBe("float32");
    expect(i32.mul(2.5).toArray()).toEqual([7.5, 10]);
    const q = i32.div(cr.tensor([2, 8], { dtype: "int32" }));
    expect(q.dtype).toBe("float32");
    expect(q.toArray()).toEqual([1.5, 0.5]);
    for (const c of [f32.eq(f64), f32.lt(1.5), i32.ge(f32), f64.ne(2)]) expect(c.dtype).toBe("bool");
    expect(f32.lt(1.5).toArray()).toEqual([true, false]);
    expect(b.add(b).dtype).toBe("int32");
    expect(b.add(f32).dtype).toBe("float32");
    expect(i32.sum().dtype).toBe("int32");
    expect(b.sum().item()).toBe(1);
    expect(i32.to("float64").dtype).toBe("float64");
    expect(cr.tensor([1.7, -1.7]).int().toArray()).toEqual([1, -1]);
    expect(cr.tensor([0, 2]).bool().toArray()).toEqual([false, true]);
  });

  it("gradients flow through a float32 → float64 cast in the input's precision", () => {
    const x = cr.tensor([1, 2], { requiresGrad: true });
    x.double()
      .mul(cr.tensor([0.1, 0.2], { dtype: "float64" }))
      .sum()
      .backward();
    expect(gradOf(x).dtype).toBe("float32");
    expect(nums(gradOf(x))).toEqual([Math.fround(0.1), Math.fround(0.2)]);
  });
});
