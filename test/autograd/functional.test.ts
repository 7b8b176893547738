// The functional API against closed forms: Jacobians of linear and elementwise maps, the Hessian of a
// quadratic form, jvp = J t and vjp = vᵀJ, nesting through createGraph, and argument validation.
import { beforeEach, describe, expect, it } from "vitest";
import * as cr from "../../src/index.js";

type T = cr.Tensor;
const f64 = { dtype: "float64" } as const;
const randn = (...s: number[]) => cr.randn(s, f64);
const flat = (t: T) => Array.from(t.toTypedArray());
function expectClose(a: T, b: T, tol = 1e-12) {
  expect(a.shape).toEqual(b.shape);
  const [x, y] = [flat(a), flat(b)];
  x.forEach((v, i) => expect(Math.abs(v - y[i])).toBeLessThanOrEqual(tol * (1 + Math.abs(y[i]))));
}
const diag = (v: T) => cr.eye(v.numel, v.numel, f64).mul(v.reshape(1, -1));

beforeEach(() => cr.manualSeed(314));

describe("grad and valueAndGrad", () => {
  it("d/dx Σx³ = 3x², and the caller's tensor is untouched", () => {
    const x = randn(5);
    const g = cr.grad((a) => a.pow(3).sum())(x);
    expectClose(g, x.square().mul(3));
    expect([x.requiresGrad, x.grad, g.requiresGrad, g.gradFn]).toEqual([false, null, false, null]);
  });

  it("argnums picks one argument or a list of them", () => {
    const [a, b] = [randn(2, 3), randn(2, 3)];
    const f = (p: T, q: T) => p.mul(q).sum();
    expectClose(cr.grad(f, { argnums: 1 })(a, b), a);
    const [ga, gb] = cr.grad(f, { argnums: [0, 1] })(a, b);
    expectClose(ga, b);
    expectClose(gb, a);
  });

  it("valueAndGrad returns f(x) and its gradient from one call", () => {
    const x = randn(4);
    const { value, grad } = cr.valueAndGrad((a) => a.sin().sum())(x);
    expect(value.item()).toBeCloseTo(
      flat(x.sin()).reduce((p, v) => p + v, 0),
      12,
    );
    expectClose(grad, x.cos());
    const both = cr.valueAndGrad((a: T, b: T) => a.mul(b).sum(), { argnums: [1, 0] })(x, x.exp());
    expectClose(both.grad[0], x);
    expectClose(both.grad[1], x.exp());
  });

  it("works on float32, inside noGrad, and gives zeros for an input f ignores", () => {
    const x = cr.randn([3]);
    const g = cr.noGrad(() => cr.grad((a) => a.square().sum())(x));
    expect(g.dtype).toBe("float32");
    expectClose(g, x.mul(2), 1e-6);
    const [g0, g1] = cr.grad((a: T, _b: T) => a.sum(), { argnums: [0, 1] })(x, randn(2));
    expectClose(g0, cr.ones([3]));
    expectClose(g1, cr.zeros([2], f64));
    expectClose(cr.grad(() => cr.scalar(2))(x), cr.zeros([3]));
  });

  it("nests through createGraph: grad of grad of Σx³ is 6x", () => {
    const x = randn(4);
    const inner = cr.grad((a) => a.pow(3).sum(), { createGraph: true });
    expectClose(cr.grad((a) => inner(a).sum())(x), x.mul(6));
  });

  it("createGraph connects a leaf that requires grad, so backward reaches it", () => {
    const w = randn(3).requiresGrad_();
    const g = cr.grad((a) => a.pow(3).sum(), { createGraph: true })(w); // 3w²
    g.sum().backward();
    expectClose(w.grad!, w.detach().mul(6));
  });

  it("without createGraph leaves the caller's graph intact and unaccumulated", () => {
    const w = randn(3).requiresGrad_();
    const u = w.mul(2);
    expectClose(cr.grad((a) => a.square().sum())(u), u.detach().mul(2));
    expect(w.grad).toBeNull();
    u.sum().backward(); // would throw if grad() had freed u's graph
    expectClose(w.grad!, cr.full([3], 2, f64));
  });
});

describe("vjp and jvp", () => {
  const A = () => randn(2, 3);
  it("vjp = vᵀ J and jvp = J t for f(x) = A sin(x)", () => {
    const [a, x, v, t] = [A(), randn(3), randn(2), randn(3)];
    const f = (p: T) => a.matmul(p.sin());
    const J = a.mul(x.cos().reshape(1, 3)); // A diag(cos x)
    const r = cr.vjp(f, x, v);
    expectClose(r.output, f(x));
    expectClose(r.vjp, v.matmul(J));
    const s = cr.jvp(f, x, t);
    expectClose(s.output, f(x));
    expectClose(s.jvp, J.matmul(t));
    expectClose(s.jvp, cr.jacobian(f, x).matmul(t));
  });

  it("take lists of inputs: vjp per input, jvp summed over inputs", () => {
    const [a, b, v, ta, tb] = [randn(2, 3), randn(3), randn(2), randn(2, 3), randn(3)];
    const f = (p: T, q: T) => p.matmul(q.exp());
    const r = cr.vjp(f, [a, b], v);
    expectClose(r.vjp[0], v.reshape(2, 1).mul(b.exp().reshape(1, 3)));
    expectClose(r.vjp[1], v.matmul(a).mul(b.exp()));
    const [Ja, Jb] = cr.jacobian(f, [a, b]);
    const expected = Ja.reshape(2, 6).matmul(ta.reshape(6)).add(Jb.matmul(tb));
    expectClose(cr.jvp(f, [a, b], [ta, tb]).jvp, expected);
  });

  it("results never alias the cotangent the caller passed", () => {
    const v = randn(3);
    const g = cr.vjp((p) => p.add(1), randn(3), v).vjp;
    expect(g).not.toBe(v);
    g.fill_(7);
    expect(flat(v)).not.toContain(7);
  });

  it("jvp of a function that ignores x is zero", () => {
    expectClose(cr.jvp(() => cr.ones([2], f64), randn(3), randn(3)).jvp, cr.zeros([2], f64));
  });

  it("jvp with createGraph is differentiable: d/dx (cos x · t) = -sin x · t", () => {
    const x = randn(3).requiresGrad_();
    const t = randn(3);
    cr.jvp((p) => p.sin(), x, t, { createGraph: true })
      .jvp.sum()
      .backward();
    expectClose(x.grad!, x.detach().sin().neg().mul(t));
  });
});

describe("jacobian and hessian", () => {
  it("the Jacobian of A@x is A", () => {
    const [a, x] = [randn(4, 3), randn(3)];
    expectClose(
      cr.jacobian((p) => a.matmul(p), x),
      a,
    );
  });

  it("the Jacobian of an elementwise op is diagonal, shaped [...out, ...in]", () => {
    const x = randn(2, 3);
    const J = cr.jacobian((p) => p.tanh(), x);
    expect(J.shape).toEqual([2, 3, 2, 3]);
    expectClose(J.reshape(6, 6), diag(cr.sub(1, x.tanh().square()).reshape(6)));
  });

  it("a scalar output gives the gradient's shape; a list of inputs a list of Jacobians", () => {
    const x = randn(2, 2);
    expectClose(
      cr.jacobian((p) => p.square().sum(), x),
      x.mul(2),
    );
    const [a, b] = [randn(3), randn(3)];
    const [Ja, Jb] = cr.jacobian((p, q) => p.mul(q), [a, b]);
    expectClose(Ja, diag(b));
    expectClose(Jb, diag(a));
  });

  it("the Hessian of xᵀAx is A + Aᵀ", () => {
    const [a, x] = [randn(4, 4), randn(4)];
    const H = cr.hessian((p) => p.matmul(a).matmul(p), x);
    expectClose(H, a.add(a.T), 1e-12);
  });

  it("the Hessian of Σx³ over a matrix is diag(6x), shaped [...x, ...x]", () => {
    const x = randn(2, 2);
    const H = cr.hessian((p) => p.pow(3).sum(), x);
    expect(H.shape).toEqual([2, 2, 2, 2]);
    expectClose(H.reshape(4, 4), diag(x.mul(6).reshape(4)));
  });

  it("jacobian with createGraph can be differentiated again", () => {
    const x = randn(3).requiresGrad_();
    const J = cr.jacobian((p) => p.sin(), x, { createGraph: true });
    expect(J.requiresGrad).toBe(true);
    J.sum().backward(); // Σ diag(cos x) → -sin x
    expectClose(x.grad!, x.detach().sin().neg());
  });

  it("an empty output gives an empty Jacobian", () => {
    expect(cr.jacobian((p) => p.slice(0, 0, 0), randn(3)).shape).toEqual([0, 3]);
  });
});

describe("argument validation", () => {
  const x = () => randn(3);
  it.each([
    [
      "grad of a non-scalar output",
      () => cr.grad((p) => p.sin())(x()),
      /grad: f must return a one-element.*\[3\]/,
    ],
    [
      "argnums out of range",
      () => cr.grad((p) => p.sum(), { argnums: 2 })(x()),
      /argnums entry 2 is out of range/,
    ],
    ["repeated argnums", () => cr.grad((p) => p.sum(), { argnums: [0, 0] })(x()), /repeats/],
    [
      "an int32 input",
      () => cr.grad((p) => p.sum())(cr.arange(3, undefined, 1, { dtype: "int32" })),
      /floating-point.*int32/,
    ],
    ["f returning a number", () => cr.grad(() => 1 as any)(x()), /output of f must be a Tensor/],
    [
      "f returning an int tensor",
      () => cr.jacobian((p) => p.argmax(), x()),
      /output of f must be a floating-point/,
    ],
    ["a non-Tensor input", () => cr.vjp((p) => p, [1 as any], x()), /argument 0 must be a Tensor/],
    [
      "v of the wrong shape",
      () => cr.vjp((p) => p.sum(0), randn(2, 3), randn(2)),
      /vjp: v has shape \[2\] but the output of f has shape \[3\]/,
    ],
    [
      "a tangent of the wrong shape",
      () => cr.jvp((p) => p, x(), randn(4)),
      /jvp: tangent 0 has shape \[4\] but input 0 has shape \[3\]/,
    ],
    ["too few tangents", () => cr.jvp((p, q) => p.add(q), [x(), x()], [x()]), /2 input\(s\) but 1 tangent/],
    ["an empty input list", () => cr.jacobian((p) => p, []), /at least one input/],
    ["hessian of a non-scalar", () => cr.hessian((p) => p.exp(), x()), /one-element/],
  ] as [string, () => unknown, RegExp][])("refuses %s", (_name, run, message) => {
    expect(run).toThrow(cr.ChainruleError);
    expect(run).toThrow(message);
  });
});
