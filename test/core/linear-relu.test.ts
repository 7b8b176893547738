// The fused primitives of issue 4: linear (one GEMM whose store step adds the bias) against the composition
// it replaced, matmul(x, Wᵀ) + b, bit for bit on every backend; ReLU's single-pass forward and backward
// with PyTorch's choices at 0, -0 and NaN.
import { afterAll, describe, expect, it } from "vitest";
import * as cr from "../../src/index.js";
import { nativeLimits } from "../../src/backend/native/index.js";

const F = cr.nn.functional;
type T = cr.Tensor;
const composed = (x: T, w: T, b: T | null): T => {
  const y = cr.matmul(x, w.transpose(0, 1));
  return b ? y.add(b) : y;
};
/** Asserts equal elements (Object.is: NaN = NaN, -0 ≠ +0) without a deep-equality walk over big arrays. */
function expectSame(a: T, b: T, what: string): void {
  const [p, q] = [a.toTypedArray(), b.toTypedArray()];
  expect(p.length, what).toBe(q.length);
  let bad = -1;
  for (let i = 0; i < p.length && bad < 0; i++) if (!Object.is(p[i], q[i])) bad = i;
  expect(bad < 0 ? "identical" : `element ${bad}: ${p[bad]} vs ${q[bad]}`, what).toBe("identical");
}

for (const name of cr.listBackends()) {
  describe(`linear on backend ${name}`, () => {
    const before = cr.getBackend();
    const saved = { ...nativeLimits };
    afterAll(() => {
      cr.setBackend(before);
      Object.assign(nativeLimits, saved);
    });

    // [x shape, out]: batch 1 (the matrix-vector kernels), several K blocks, a 3-D input, a thin output
    const shapes: [number[], number][] = [
      [[1, 784], 512],
      [[2, 300], 40],
      [[70, 784], 130],
      [[37, 256], 10],
      [[2, 5, 33], 17],
      [[64], 7],
      [[130, 70], 1],
    ];
    it.each([["float32"], ["float64"]] as const)("equals matmul(x, Wᵀ) + b bit for bit in %s", (dtype) => {
      cr.setBackend(name);
      nativeLimits.minElements = nativeLimits.minMatmulMacs = 0;
      cr.manualSeed(4);
      for (const [xs, out] of shapes) {
        const x = cr.randn(xs, { dtype });
        const w = cr.randn([out, xs[xs.length - 1]], { dtype });
        const b = cr.randn([out], { dtype });
        const y = F.linear(x, w, b);
        expect(y.shape).toEqual([...xs.slice(0, -1), out]);
        expectSame(y, composed(x, w, b), `${dtype} ${xs} → ${out}`);
        expectSame(F.linear(x, w), composed(x, w, null), `${dtype} ${xs} → ${out}, no bias`);
      }
    });

    it("records one node whose gradients match the composition's", () => {
      cr.setBackend(name);
      cr.manualSeed(5);
      const x0 = cr.randn([96, 40]);
      const w0 = cr.randn([30, 40]);
      const b0 = cr.randn([30]);
      const g = cr.randn([96, 30]);
      const grads = (f: (x: T, w: T, b: T) => T) => {
        const [x, w, b] = [x0, w0, b0].map((t) => t.clone().requiresGrad_());
        const y = f(x, w, b);
        y.backward(g);
        return { op: y.gradFn?.op, gs: [x, w, b].map((t) => t.grad!.toTypedArray()) };
      };
      const fused = grads(F.linear);
      const plain = grads(composed);
      expect(fused.op).toBe("linear");
      expect(fused.gs[0]).toEqual(plain.gs[0]); // g·W: the same product
      expect(fused.gs[1]).toEqual(plain.gs[1]); // gᵀ·x: the same product, in W's layout
      // Σ over rows: the engine's sumTo before, a sum over dim 0 now (the summation order may differ)
      const [gb, ref] = [fused.gs[2], plain.gs[2]];
      for (let j = 0; j < ref.length; j++) expect(gb[j]).toBeCloseTo(ref[j], 4);
    });
  });
}

describe("linear's argument checks", () => {
  it("names the op and the shapes", () => {
    const w = cr.randn([3, 4]);
    expect(() => F.linear(cr.randn([2, 5]), w)).toThrow(
      /linear: input \[2, ?5\] must end in the weight's in_features/,
    );
    expect(() => F.linear(cr.randn([2, 4]), w, cr.randn([4]))).toThrow(
      /linear: bias must have shape \[3\], got \[4\]/,
    );
    expect(() => F.linear(cr.randn([4]), cr.randn([12]))).toThrow(/linear:/);
    expect(() => F.linear(cr.randint(0, 3, [2, 4]), cr.randint(0, 3, [3, 4]))).toThrow(
      /linear: expected floating/,
    );
  });

  it("promotes mixed float types (float32 x, float64 weight → float64)", () => {
    const y = F.linear(cr.ones([2, 4]), cr.ones([3, 4], { dtype: "float64" }), cr.ones([3]));
    expect(y.dtype).toBe("float64");
    expect(y.toArray()).toEqual([
      [5, 5, 5],
      [5, 5, 5],
    ]);
  });
});

describe("relu in one pass", () => {
  const nums = (t: T) => Array.from(t.toTypedArray());
  for (const dtype of ["float32", "float64"] as const)
    it(`keeps NaN, maps -0, 0 and negatives to +0, passes the rest (${dtype})`, () => {
      const x = cr.tensor([NaN, -0, 0, -1e-30, -Infinity, Infinity, 2.5, -3], { dtype });
      const y = x.relu();
      expect(y.dtype).toBe(dtype);
      expect(nums(y)).toEqual([NaN, 0, 0, 0, 0, Infinity, 2.5, 0]);
      expect(Object.is(nums(y)[1], 0)).toBe(true);
    });

  it("backward: the gradient is 0 at x ≤ 0 (relu'(0) = 0) and passes at NaN (PyTorch's threshold_backward)", () => {
    const x = cr.tensor([NaN, -0, 0, -2, 3, 1e-30], { requiresGrad: true });
    const y = x.relu();
    expect(y.gradFn?.op).toBe("relu");
    y.backward(cr.tensor([1, 2, 3, 4, 5, 6]));
    expect(nums(x.grad!)).toEqual([1, 0, 0, 0, 5, 6]);
  });

  it("on a large tensor (the native kernels) matches where(x ≤ 0, 0, x) and its gradient", () => {
    cr.manualSeed(6);
    const x = cr.randn([300, 70]).requiresGrad_();
    const g = cr.randn([300, 70]);
    x.relu().backward(g);
    const ref = cr.where(x.detach().le(0), 0, x.detach());
    expectSame(x.relu(), ref, "forward");
    expectSame(x.grad!, cr.where(x.detach().le(0), 0, g), "backward");
  });

  it("keeps integer types (bool becomes int32, as before)", () => {
    expect(cr.tensor(Int32Array.from([-2, 0, 3])).relu().dtype).toBe("int32");
    expect(nums(cr.tensor(Int32Array.from([-2, 0, 3])).relu())).toEqual([0, 0, 3]);
    expect(cr.tensor([true, false]).relu().dtype).toBe("int32");
  });
});

describe("nn.Sequential runs Linear → ReLU as one GEMM with a relu epilogue", () => {
  const { nn } = cr;
  const mlp = (relu: () => cr.nn.Module = () => new nn.ReLU()) => {
    cr.manualSeed(8);
    return new nn.Sequential(
      new nn.Linear(40, 30),
      relu(),
      new nn.Linear(30, 20),
      relu(),
      new nn.Linear(20, 3),
    );
  };
  const byHand = (m: cr.nn.Sequential, x: T) => {
    const [l0, , l1, , l2] = [...m] as cr.nn.Linear[];
    const h = F.linear(F.linear(x, l0.weight, l0.bias).relu(), l1.weight, l1.bias).relu();
    return F.linear(h, l2.weight, l2.bias);
  };

  for (const batch of [1, 64])
    it(`gives the unfused results bit for bit without gradients (batch ${batch}, NaN rows included)`, () => {
      const m = mlp();
      const x = cr.randn([batch, 40]);
      x.data[3] = NaN; // a NaN must survive the fused relu
      const [fused, plain] = cr.noGrad(() => [m.forward(x), byHand(m, x)]);
      expectSame(fused, plain, "forward");
      expect(Number.isNaN(fused.toTypedArray()[0])).toBe(true);
      expect(fused.requiresGrad).toBe(false);
    });

  it("with gradients on, records relu(linear) and backpropagates like the separate modules", () => {
    const m = mlp();
    const x = cr.randn([16, 40]);
    const y = m.forward(x);
    expectSame(y, byHand(m, x), "forward");
    y.square().sum().backward();
    const g0 = (m.at(0) as cr.nn.Linear).weight.grad!.clone();
    m.zeroGrad();
    byHand(m, x).square().sum().backward();
    expectSame(g0, (m.at(0) as cr.nn.Linear).weight.grad!, "grad of the first weight");
  });

  it("leaves hooked or subclassed layers alone: a Linear hook sees the pre-ReLU output", () => {
    const m = mlp();
    const x = cr.randn([8, 40]);
    let seen: T | null = null;
    const h = m.at(0).registerForwardHook((_mod, _in, out) => void (seen = out));
    const y = cr.noGrad(() => m.forward(x));
    expect(seen!.toTypedArray().some((v) => v < 0)).toBe(true);
    h.remove();
    expectSame(
      y,
      cr.noGrad(() => m.forward(x)),
      "hooked vs fused",
    );
    class Clipped extends nn.ReLU {
      override forward(t: T): T {
        return t.clamp(0, 0.1);
      }
    }
    const c = mlp(() => new Clipped());
    expect(cr.noGrad(() => c.forward(x)).toArray()).toEqual(cr.noGrad(() => byHandClipped(c, x)).toArray());
  });
  const byHandClipped = (m: cr.nn.Sequential, x: T) => {
    const [l0, , l1, , l2] = [...m] as cr.nn.Linear[];
    const h = F.linear(F.linear(x, l0.weight, l0.bias).clamp(0, 0.1), l1.weight, l1.bias).clamp(0, 0.1);
    return F.linear(h, l2.weight, l2.bias);
  };
});
