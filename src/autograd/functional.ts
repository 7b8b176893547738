// The functional autodiff API (JAX / torch.func style): grad, valueAndGrad, vjp, jvp, jacobian and hessian
// transform functions of tensors. All are built on gradients(); forward mode (jvp) is the double-vjp trick,
// so no op needs a second (JVP) rule. Gradient checking lives in gradcheck.ts.
import { full, zeros } from "../tensor/create.js";
import { isFloat } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { add, contiguous, mul, reshape, stack, sum } from "../ops/index.js";
import { check, fmtShape } from "../util/errors.js";
import { sameShape } from "../util/shape.js";
import { gradients } from "./backward.js";
import { enableGrad, isGradEnabled, noGrad } from "./grad-mode.js";

/** A function of tensors returning one tensor: what the transforms in this file differentiate. */
export type TensorFn = (...xs: Tensor[]) => Tensor;

export interface FunctionalOptions {
  /**
   * Keep the results in the graph so they can be differentiated again. Inputs that require grad are then
   * connected (not detached), which is how transforms nest: `grad(grad(f, { createGraph: true }))`.
   * Off (the default), inputs are detached copies and every result is a fresh detached tensor.
   */
  createGraph?: boolean;
}

export interface GradOptions extends FunctionalOptions {
  /** Which argument(s) to differentiate: a number gives one gradient, an array a list. Default 0. */
  argnums?: number | readonly number[];
}

function checkTensor(op: string, x: unknown, what: string, float: boolean): asserts x is Tensor {
  check(x instanceof Tensor, op, () => `${what} must be a Tensor, got ${typeof x}`);
  check(
    !float || isFloat(x.dtype),
    op,
    () => `${what} must be a floating-point tensor to be differentiated, got dtype ${x.dtype}`,
  );
}

/**
 * The tensors f is called with: detached leaves that require grad (the user's tensors are untouched), or,
 * with createGraph, a recorded copy of an input that already requires grad so that outer transforms see
 * through this one. Inputs not differentiated are detached unless createGraph.
 */
function prepare(
  op: string,
  xs: readonly Tensor[],
  wanted: readonly boolean[],
  createGraph: boolean,
): Tensor[] {
  return xs.map((x, i) => {
    checkTensor(op, x, `argument ${i}`, wanted[i]);
    if (createGraph && x.requiresGrad && isGradEnabled()) return wanted[i] ? contiguous(x, true) : x;
    const p = x.detach();
    return wanted[i] ? p.requiresGrad_() : p;
  });
}

function callF(op: string, f: TensorFn, ps: readonly Tensor[]): Tensor {
  check(typeof f === "function", op, () => `expected a function, got ${typeof f}`);
  const out = enableGrad(() => f(...ps));
  checkTensor(op, out, "the output of f", true);
  return out;
}

/** vᵀJ for each of `ps`: zeros where the output does not depend on an input. */
function pullback(out: Tensor, ps: readonly Tensor[], v: Tensor, createGraph: boolean, retain: boolean) {
  if (!out.requiresGrad) return ps.map((p) => zeros(p.shape, { dtype: p.dtype }));
  return gradients([out], ps, [v], { createGraph, retainGraph: retain || createGraph, allowUnused: true });
}

/** A result handed to the user: itself under createGraph, else a fresh detached copy (never aliases v). */
function finish(t: Tensor, createGraph: boolean): Tensor {
  return createGraph ? t : noGrad(() => contiguous(t, true));
}

function argList(op: string, x: Tensor | readonly Tensor[]): Tensor[] {
  const xs = Array.isArray(x) ? [...(x as readonly Tensor[])] : [x as Tensor];
  check(xs.length > 0, op, () => "expected at least one input tensor");
  return xs;
}

function argnumList(argnums: number | readonly number[], n: number): number[] {
  const list = typeof argnums === "number" ? [argnums] : [...argnums];
  check(list.length > 0, "grad", () => "argnums must name at least one argument");
  list.forEach((k) =>
    check(
      Number.isInteger(k) && k >= 0 && k < n,
      "grad",
      () => `argnums entry ${k} is out of range for a call with ${n} argument(s)`,
    ),
  );
  check(new Set(list).size === list.length, "grad", () => `argnums [${list}] repeats an argument`);
  return list;
}

export interface ValueAndGrad<G> {
  value: Tensor;
  grad: G;
}

/**
 * `valueAndGrad(f)(...xs)` = { value: f(xs), grad: ∂f/∂x[argnums] } for a scalar-valued f (one element),
 * from one forward and one backward pass.
 * @param f a function of tensors returning a one-element tensor.
 * @param opts `argnums` (default 0; an array gives a list of gradients), `createGraph`.
 * Shape: each gradient has its argument's shape.
 * @example valueAndGrad((x) => x.square().sum())(tensor([1, 2])) // { value: 5, grad: [2, 4] }
 */
export function valueAndGrad(
  f: TensorFn,
  opts?: FunctionalOptions & { argnums?: number },
): (...xs: Tensor[]) => ValueAndGrad<Tensor>;
export function valueAndGrad(
  f: TensorFn,
  opts: FunctionalOptions & { argnums: readonly number[] },
): (...xs: Tensor[]) => ValueAndGrad<Tensor[]>;
export function valueAndGrad(
  f: TensorFn,
  opts: GradOptions = {},
): (...xs: Tensor[]) => ValueAndGrad<Tensor | Tensor[]> {
  const createGraph = opts.createGraph ?? false;
  return (...xs: Tensor[]) => {
    const nums = argnumList(opts.argnums ?? 0, xs.length);
    const ps = prepare(
      "grad",
      xs,
      xs.map((_, i) => nums.includes(i)),
      createGraph,
    );
    const out = callF("grad", f, ps);
    check(
      out.numel === 1,
      "grad",
      () =>
        `f must return a one-element (scalar) tensor, got shape ${fmtShape(out.shape)}; use vjp or jacobian`,
    );
    const gs = pullback(
      out,
      nums.map((k) => ps[k]),
      full(out.shape, 1, { dtype: out.dtype }),
      createGraph,
      false,
    );
    const grads = gs.map((g) => finish(g, createGraph));
    return { value: finish(out, createGraph), grad: typeof opts.argnums === "object" ? grads : grads[0] };
  };
}

/**
 * `grad(f)(...xs)` = ∂f/∂x[argnums] for a scalar-valued f (JAX's grad, torch.func.grad).
 * @param f a function of tensors returning a one-element tensor.
 * @param opts `argnums` (default 0; an array gives a list of gradients), `createGraph` (needed to nest).
 * Shape: each gradient has its argument's shape.
 * @example grad((x) => x.square().sum())(tensor([1, 2])) // [2, 4]
 */
export function grad(
  f: TensorFn,
  opts?: FunctionalOptions & { argnums?: number },
): (...xs: Tensor[]) => Tensor;
export function grad(
  f: TensorFn,
  opts: FunctionalOptions & { argnums: readonly number[] },
): (...xs: Tensor[]) => Tensor[];
export function grad(f: TensorFn, opts: GradOptions = {}): (...xs: Tensor[]) => Tensor | Tensor[] {
  const vg = valueAndGrad(f, opts as FunctionalOptions & { argnums: readonly number[] });
  return (...xs: Tensor[]) => vg(...xs).grad;
}

/**
 * Vector-Jacobian product: output = f(x), vjp = vᵀ ∂f/∂x (reverse mode, one backward pass).
 * @param x one input, or a list (then `vjp` is a list in the same order).
 * @param v the cotangent, of the output's shape.
 * Shape: vjp[i] has x[i]'s shape.
 */
export function vjp(
  f: TensorFn,
  x: Tensor,
  v: Tensor,
  opts?: FunctionalOptions,
): { output: Tensor; vjp: Tensor };
export function vjp(
  f: TensorFn,
  x: readonly Tensor[],
  v: Tensor,
  opts?: FunctionalOptions,
): { output: Tensor; vjp: Tensor[] };
export function vjp(
  f: TensorFn,
  x: Tensor | readonly Tensor[],
  v: Tensor,
  opts: FunctionalOptions = {},
): { output: Tensor; vjp: Tensor | Tensor[] } {
  const createGraph = opts.createGraph ?? false;
  const xs = argList("vjp", x);
  const ps = prepare(
    "vjp",
    xs,
    xs.map(() => true),
    createGraph,
  );
  const out = callF("vjp", f, ps);
  checkTensor("vjp", v, "v", false);
  check(
    sameShape(v.shape, out.shape),
    "vjp",
    () => `v has shape ${fmtShape(v.shape)} but the output of f has shape ${fmtShape(out.shape)}`,
  );
  const gs = pullback(out, ps, createGraph ? v : v.detach(), createGraph, false).map((g) =>
    finish(g, createGraph),
  );
  return { output: finish(out, createGraph), vjp: Array.isArray(x) ? gs : gs[0] };
}

/**
 * Jacobian-vector product: output = f(x), jvp = (∂f/∂x) t (forward mode), computed by the double-vjp
 * trick: g(u) = uᵀJ is linear in a dummy cotangent u, so ∂⟨g(u), t⟩/∂u = J t. That costs two backward
 * passes (the first recorded) instead of JVP rules for every op.
 * @param x one input or a list; `t` the tangent(s), matching x in number and shapes.
 * Shape: jvp has the output's shape.
 */
export function jvp(
  f: TensorFn,
  x: Tensor,
  t: Tensor,
  opts?: FunctionalOptions,
): { output: Tensor; jvp: Tensor };
export function jvp(
  f: TensorFn,
  x: readonly Tensor[],
  t: readonly Tensor[],
  opts?: FunctionalOptions,
): { output: Tensor; jvp: Tensor };
export function jvp(
  f: TensorFn,
  x: Tensor | readonly Tensor[],
  t: Tensor | readonly Tensor[],
  opts: FunctionalOptions = {},
): { output: Tensor; jvp: Tensor } {
  const createGraph = opts.createGraph ?? false;
  const xs = argList("jvp", x);
  const ts = Array.isArray(t) ? [...(t as readonly Tensor[])] : [t as Tensor];
  check(ts.length === xs.length, "jvp", () => `got ${xs.length} input(s) but ${ts.length} tangent(s)`);
  ts.forEach((ti, i) => {
    checkTensor("jvp", ti, `tangent ${i}`, false);
    check(
      sameShape(ti.shape, xs[i].shape),
      "jvp",
      () => `tangent ${i} has shape ${fmtShape(ti.shape)} but input ${i} has shape ${fmtShape(xs[i].shape)}`,
    );
  });
  const ps = prepare(
    "jvp",
    xs,
    xs.map(() => true),
    createGraph,
  );
  const out = callF("jvp", f, ps);
  const u = zeros(out.shape, { dtype: out.dtype, requiresGrad: true });
  const jv = enableGrad(() => {
    const gs = pullback(out, ps, u, true, true);
    const dot = gs
      .map((g, i) => sum(mul(g, createGraph ? ts[i] : ts[i].detach())))
      .reduce((a, b) => add(a, b));
    return pullback(dot, [u], full([], 1, { dtype: dot.dtype }), createGraph, false)[0];
  });
  return { output: finish(out, createGraph), jvp: finish(jv, createGraph) };
}

/**
 * The Jacobian ∂f/∂x, one reverse pass per output element (rows of J).
 * @param x one input, or a list (then one Jacobian per input).
 * Shape: [...output.shape, ...x.shape] (a scalar output gives the gradient's shape).
 */
export function jacobian(f: TensorFn, x: Tensor, opts?: FunctionalOptions): Tensor;
export function jacobian(f: TensorFn, x: readonly Tensor[], opts?: FunctionalOptions): Tensor[];
export function jacobian(
  f: TensorFn,
  x: Tensor | readonly Tensor[],
  opts: FunctionalOptions = {},
): Tensor | Tensor[] {
  const createGraph = opts.createGraph ?? false;
  const xs = argList("jacobian", x);
  const ps = prepare(
    "jacobian",
    xs,
    xs.map(() => true),
    createGraph,
  );
  const out = callF("jacobian", f, ps);
  const rows: Tensor[][] = ps.map(() => []);
  for (let k = 0; k < out.numel; k++) {
    const e = zeros([out.numel], { dtype: out.dtype });
    e.data[k] = 1;
    pullback(out, ps, reshape(e, out.shape), createGraph, true).forEach((g, i) => rows[i].push(g));
  }
  const js = (createGraph ? enableGrad : noGrad)(() =>
    ps.map((p, i) => {
      const shape = [...out.shape, ...p.shape];
      return out.numel === 0 ? zeros(shape, { dtype: p.dtype }) : reshape(stack(rows[i]), shape);
    }),
  ).map((j) => finish(j, createGraph));
  return Array.isArray(x) ? js : js[0];
}

/**
 * The Hessian ∂²f/∂x² of a scalar-valued f: the Jacobian of its (recorded) gradient.
 * Shape: [...x.shape, ...x.shape]; symmetric for twice continuously differentiable f.
 * @example hessian((x) => x.pow(3).sum(), tensor([1, 2])) // diag(6x) = [[6, 0], [0, 12]]
 */
export function hessian(f: (x: Tensor) => Tensor, x: Tensor, opts: FunctionalOptions = {}): Tensor {
  const g = grad(f, { createGraph: true });
  return jacobian((p: Tensor) => g(p), x, opts);
}
