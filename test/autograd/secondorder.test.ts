// Second order on a small tanh MLP: gradgradcheck, and the Hessian (of the loss in the parameters and of
// the output in the input) against float64 central differences of the gradient.
import { beforeEach, describe, expect, it } from "vitest";
import * as cr from "../../src/index.js";

type T = cr.Tensor;
const f64 = { dtype: "float64" } as const;
const [N, D, H] = [5, 3, 4];
const P = D * H + H + H + 1; // W1, b1, W2, b2

/** mean((tanh(X W1 + b1) W2 + b2 - y)²) */
const mlpLoss = (X: T, y: T) => (w1: T, b1: T, w2: T, b2: T) =>
  X.matmul(w1).add(b1).tanh().matmul(w2).add(b2).sub(y).square().mean();

/** The same loss as a function of one flat parameter vector θ of length P. */
const flatLoss = (X: T, y: T) => (theta: T) => {
  const [w1, b1, w2, b2] = cr.split(theta, [D * H, H, H, 1]);
  return mlpLoss(X, y)(w1.reshape(D, H), b1, w2.reshape(H, 1), b2);
};

/** Column j of the Hessian ≈ (∇f(θ + εe_j) - ∇f(θ - εe_j)) / 2ε. */
function hessianByDifferences(f: (x: T) => T, x: T, eps = 1e-5): number[][] {
  const g = cr.grad(f);
  const n = x.numel;
  const base = Array.from(x.toTypedArray());
  const cols = base.map((_, j) => {
    const shifted = (d: number) => cr.tensor(Float64Array.from(base, (v, k) => (k === j ? v + d : v)), { shape: x.shape }); // prettier-ignore
    const [gp, gm] = [g(shifted(eps)).toTypedArray(), g(shifted(-eps)).toTypedArray()];
    return Array.from({ length: n }, (_, i) => (gp[i] - gm[i]) / (2 * eps));
  });
  return base.map((_, i) => cols.map((c) => c[i])); // H[i][j] = ∂²f/∂x_i∂x_j
}

function expectMatrixClose(a: T, b: number[][], tol: number) {
  const n = b.length;
  const got = a.reshape(n, n).toArray() as number[][];
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) expect(Math.abs(got[i][j] - b[i][j])).toBeLessThan(tol);
}

describe("second order on a tanh MLP", () => {
  let X: T, y: T, theta: T;
  beforeEach(() => {
    cr.manualSeed(2718);
    X = cr.randn([N, D], f64);
    y = cr.randn([N, 1], f64);
    theta = cr.randn([P], f64).mul(0.7);
  });

  it("passes gradgradcheck in every parameter", () => {
    const [w1, b1, w2, b2] = cr.split(theta, [D * H, H, H, 1]);
    const params = [w1.reshape(D, H), b1, w2.reshape(H, 1), b2].map((t) => t.contiguous());
    expect(cr.gradcheck(mlpLoss(X, y), params).ok).toBe(true);
    expect(cr.gradgradcheck(mlpLoss(X, y), params).ok).toBe(true);
  });

  it("passes gradgradcheck in the input, through a vector output", () => {
    const [w1, b1, w2, b2] = cr.split(theta, [D * H, H, H, 1]);
    const net = (x: T) => x.matmul(w1.reshape(D, H)).add(b1).tanh().matmul(w2.reshape(H, 1)).add(b2);
    expect(cr.gradgradcheck(net, [X]).ok).toBe(true);
  });

  it("its parameter Hessian matches central differences of the gradient and is symmetric", () => {
    const f = flatLoss(X, y);
    const Hs = cr.hessian(f, theta);
    expect(Hs.shape).toEqual([P, P]);
    expectMatrixClose(Hs, hessianByDifferences(f, theta), 1e-7);
    expectMatrixClose(Hs, Hs.T.toArray() as number[][], 1e-12);
    // W2 and b2 enter linearly before the square, so their block is (2/N) Σ hᵀh: positive semidefinite diag
    const d = Hs.toArray() as number[][];
    for (let i = D * H + H; i < P; i++) expect(d[i][i]).toBeGreaterThanOrEqual(0);
  });

  it("Hessian-vector products by forward-over-reverse (jvp of grad) equal H v", () => {
    const f = flatLoss(X, y);
    const v = cr.randn([P], f64);
    const hv = cr.jvp(cr.grad(f, { createGraph: true }), theta, v).jvp;
    const expected = cr.hessian(f, theta).matmul(v);
    const [a, b] = [hv.toTypedArray(), expected.toTypedArray()];
    a.forEach((e, i) => expect(e).toBeCloseTo(b[i], 11));
  });

  it("the Hessian of the network output in one input row matches central differences", () => {
    const [w1, b1, w2, b2] = cr.split(theta, [D * H, H, H, 1]);
    const out = (x: T) => x.matmul(w1.reshape(D, H)).add(b1).tanh().matmul(w2.reshape(H, 1)).add(b2).sum();
    const x0 = X.select(0, 0).contiguous();
    const Hx = cr.hessian(out, x0);
    expectMatrixClose(Hx, hessianByDifferences(out, x0), 1e-7);
  });
});
