// clipGradNorm / clipGradValue: the total norm they report, the scaling PyTorch applies, skipped params.
import { describe, expect, it } from "vitest";
import * as cr from "../../src/index.js";

const { clipGradNorm, clipGradValue } = cr.optim;

function withGrads(...grads: (number[] | null)[]): cr.Tensor[] {
  return grads.map((g) => {
    const p = cr.zeros([g?.length ?? 1], { dtype: "float64", requiresGrad: true });
    if (g) p.grad = cr.tensor(g, { dtype: "float64" });
    return p;
  });
}
const gradValues = (ps: cr.Tensor[]): (number[] | null)[] =>
  ps.map((p) => (p.grad ? Array.from(p.grad.toTypedArray() as Float64Array) : null));

describe("clipGradNorm", () => {
  it("returns the joint 2-norm and rescales by maxNorm/(total + 1e-6)", () => {
    const ps = withGrads([3, 4], [12], null);
    const total = clipGradNorm(ps, 6.5);
    expect(total).toBe(13);
    const c = 6.5 / (13 + 1e-6);
    expect(gradValues(ps)).toEqual([[3 * c, 4 * c], [12 * c], null]);
    // the clipped norm is just under maxNorm
    expect(Math.hypot(3 * c, 4 * c, 12 * c)).toBeLessThan(6.5);
    expect(Math.hypot(3 * c, 4 * c, 12 * c)).toBeGreaterThan(6.5 - 1e-6);
  });
  it("leaves gradients alone when the norm is within maxNorm", () => {
    const ps = withGrads([3, 4], [12]);
    expect(clipGradNorm(ps, 20)).toBe(13);
    expect(gradValues(ps)).toEqual([[3, 4], [12]]);
  });
  it("supports the infinity norm and other p-norms", () => {
    let ps = withGrads([3, -4], [-12, 1]);
    expect(clipGradNorm(ps, 6, { normType: Infinity })).toBe(12);
    expect(gradValues(ps)[1]![0]).toBeCloseTo((-12 * 6) / (12 + 1e-6), 14);
    ps = withGrads([3, -4], [-12, 1]);
    expect(clipGradNorm(ps, 100, { normType: 1 })).toBe(20);
    ps = withGrads([3, -4], [-12, 1]);
    expect(clipGradNorm(ps, 100, { normType: 3 })).toBeCloseTo(Math.cbrt(27 + 64 + 1728 + 1), 12);
  });
  it("accepts a single tensor, float32 grads, and no grads at all", () => {
    const p = cr.zeros([2], { requiresGrad: true });
    p.grad = cr.tensor([6, 8]);
    expect(clipGradNorm(p, 1)).toBe(10);
    expect(p.grad.dtype).toBe("float32");
    const [a, b] = Array.from(p.grad.toTypedArray());
    expect([a, b].map((v) => Math.abs(v - (v > 0.7 ? 0.8 : 0.6)) < 1e-6)).toEqual([true, true]);
    expect(clipGradNorm(withGrads(null), 1)).toBe(0);
  });
  it("errorIfNonfinite throws on a NaN or infinite norm; otherwise NaN spreads as in PyTorch", () => {
    expect(() => clipGradNorm(withGrads([1, NaN]), 1, { errorIfNonfinite: true })).toThrow(
      /total norm of order 2.*NaN/,
    );
    expect(() => clipGradNorm(withGrads([Infinity]), 1, { errorIfNonfinite: true })).toThrow(
      cr.ChainruleError,
    );
    const ps = withGrads([1, NaN], [2]);
    expect(clipGradNorm(ps, 1)).toBeNaN();
    expect(gradValues(ps)[1]![0]).toBeNaN();
  });
  it("validates its arguments", () => {
    expect(() => clipGradNorm(withGrads([1]), -1)).toThrow(/maxNorm must be >= 0/);
    expect(() => clipGradNorm(withGrads([1]), 1, { normType: 0 })).toThrow(/normType/);
  });
});

describe("clipGradValue", () => {
  it("clamps every gradient element into [-clipValue, clipValue] in place", () => {
    const ps = withGrads([-3, 0.5, 2], [0.1], null);
    const before = ps[0].grad;
    clipGradValue(ps, 1);
    expect(gradValues(ps)).toEqual([[-1, 0.5, 1], [0.1], null]);
    expect(ps[0].grad).toBe(before);
  });
  it("refuses a negative clip value", () => {
    expect(() => clipGradValue(withGrads([1]), -0.5)).toThrow(/clipValue must be >= 0/);
  });
});
