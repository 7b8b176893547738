// mseLoss is one graph node with its own rule (a speed fusion): it must give the composition's value and
// gradients bit for bit on every backend, keep higher-order gradients, and refuse in-place changes.
import { afterAll, describe, expect, it } from "vitest";
import * as cr from "../../src/index.js";

const F = cr.nn.functional;
const initial = cr.getBackend();
afterAll(() => cr.setBackend(initial));

/** The composition mseLoss was before it became one node: sub, mul, then sum or mean. */
function composed(x: cr.Tensor, t: cr.Tensor, reduction: "mean" | "sum"): cr.Tensor {
  const d = cr.sub(x, t);
  const sq = cr.mul(d, d);
  return reduction === "sum" ? sq.sum() : sq.mean();
}

function leaf(t: cr.Tensor): cr.Tensor {
  return t.detach().clone().requiresGrad_();
}

const bits = (t: cr.Tensor) => Array.from(new Uint32Array(Float32Array.from(t.toTypedArray()).buffer));

describe("mseLoss as one node", () => {
  for (const backend of cr.listBackends())
    for (const shape of [
      [4, 1],
      [16, 9],
    ])
      for (const reduction of ["mean", "sum"] as const)
        it(`${backend}, ${JSON.stringify(shape)}, ${reduction}: value and both gradients bit for bit`, () => {
          cr.setBackend(backend);
          cr.manualSeed(7);
          const x0 = cr.randn(shape).mul(3);
          const t0 = cr.randn(shape);
          const [x1, t1, x2, t2] = [leaf(x0), leaf(t0), leaf(x0), leaf(t0)];
          const fused = F.mseLoss(x1, t1, { reduction });
          const ref = composed(x2, t2, reduction);
          expect(fused.gradFn?.op).toBe("mseLoss");
          expect(bits(fused)).toEqual(bits(ref));
          fused.mul(1.7).backward();
          ref.mul(1.7).backward();
          expect(bits(x1.grad!)).toEqual(bits(x2.grad!));
          expect(bits(t1.grad!)).toEqual(bits(t2.grad!));
          expect(Math.abs(x1.grad!.sum().item()) + Math.abs(t1.grad!.sum().item())).toBeGreaterThan(0);
        });

  it("second derivatives (gradgradcheck), both inputs, mean and sum", () => {
    cr.setBackend(initial);
    const x = cr.randn([3, 4], { dtype: "float64" });
    const t = cr.randn([3, 4], { dtype: "float64" });
    for (const reduction of ["mean", "sum"] as const)
      expect(cr.gradgradcheck((a, b) => F.mseLoss(a, b, { reduction }), [x, t]).ok).toBe(true);
  });

  it("a target that does not require grad gets no gradient; the input still does", () => {
    const x = leaf(cr.tensor([1, 2, 4]));
    const t = cr.tensor([0, 2, 1]);
    F.mseLoss(x, t).backward();
    // d/dx mean((x-t)²) = 2(x-t)/3
    expect(Array.from(x.grad!.toTypedArray())).toEqual(Array.from(Float32Array.from([2 / 3, 0, 2])));
    expect(t.grad).toBeNull();
  });

  it("refuses an input changed in place before backward (as PyTorch does)", () => {
    const x = leaf(cr.tensor([1, 2, 3]));
    const t = cr.tensor([0, 0, 0]);
    const l = F.mseLoss(x, t);
    t.add_(1);
    expect(() => l.backward()).toThrow(/modified by an in-place operation/);
  });
});
