// Gradient checking: every entry of the analytic Jacobian (one basis vjp per output element, through the
// real backward rules) against float64 central differences; gradgradcheck does the same for the recorded
// backward pass itself (second order).
import { randn } from "../tensor/create.js";
import { Storage } from "../tensor/storage.js";
import { Tensor } from "../tensor/tensor.js";
import { ChainruleError, check, fmtShape } from "../util/errors.js";
import { sameShape } from "../util/shape.js";
import { gradients } from "./backward.js";
import { enableGrad, noGrad } from "./grad-mode.js";

/** A function of tensors returning one tensor or several: what gradcheck checks. */
export type CheckedFn = (...xs: Tensor[]) => Tensor | readonly Tensor[];

export interface GradcheckOptions {
  /** Central-difference step. Default 1e-6. */
  eps?: number;
  /** Absolute tolerance. Default 1e-5. */
  atol?: number;
  /** Relative tolerance (times |numeric|). Default 1e-3. */
  rtol?: number;
  /** Throw a ChainruleError with the worst entry when the check fails. Default true. */
  raiseException?: boolean;
}

/** One Jacobian entry ∂output[outputIndex] / ∂input[inputIndex], computed both ways. */
export interface GradcheckEntry {
  input: number;
  inputIndex: number[];
  output: number;
  outputIndex: number[];
  analytic: number;
  numeric: number;
  /** |analytic - numeric|. */
  error: number;
  /** atol + rtol·|numeric|: the entry passes when error ≤ tolerance. */
  tolerance: number;
}

export interface GradcheckResult {
  ok: boolean;
  /** The entry with the largest error/tolerance ratio (null when the Jacobian is empty). */
  worst: GradcheckEntry | null;
  /** Number of Jacobian entries compared. */
  entries: number;
}

function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = shape.map(() => 0);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = flat % shape[d];
    flat = Math.floor(flat / shape[d]);
  }
  return idx;
}

function checkInput(x: unknown, i: number): asserts x is Tensor {
  check(x instanceof Tensor, "gradcheck", () => `input ${i} must be a Tensor, got ${typeof x}`);
  check(
    x.dtype === "float64",
    "gradcheck",
    () => `input ${i} has dtype ${x.dtype}; finite differences need float64 inputs (use .double())`,
  );
  check(
    x.shape.every((n, d) => n <= 1 || x.strides[d] !== 0),
    "gradcheck",
    () =>
      `input ${i} (shape ${fmtShape(x.shape)}, strides ${fmtShape(x.strides)}) has overlapping elements, ` +
      "so one perturbation would move several entries; pass x.contiguous()",
  );
}

/** A private float64 copy of `x` with the same view (shape, strides, offset), so layouts are exercised. */
function privateCopy(x: Tensor, i: number): Tensor {
  checkInput(x, i);
  const p = new Tensor(new Storage(x.data.slice()), x.shape, x.strides, x.offset, "float64");
  p.requiresGrad = true;
  return p;
}

function outputsOf(f: CheckedFn, ps: readonly Tensor[]): Tensor[] {
  const r = f(...ps);
  const outs = r instanceof Tensor ? [r] : Array.isArray(r) ? [...(r as readonly Tensor[])] : [];
  check(outs.length > 0, "gradcheck", () => "f must return a Tensor or a non-empty list of Tensors");
  outs.forEach((o, k) =>
    check(
      o instanceof Tensor && o.dtype === "float64",
      "gradcheck",
      () => `output ${k} has dtype ${o instanceof Tensor ? o.dtype : typeof o}; expected float64 throughout`,
    ),
  );
  return outs;
}

/** analytic[o][i]: row-major [output element][input element], one basis vjp per output element. */
function analyticJacobian(outs: readonly Tensor[], ps: readonly Tensor[]): Float64Array[][] {
  return outs.map((out) => {
    const blocks = ps.map((p) => new Float64Array(out.numel * p.numel));
    if (!out.requiresGrad) return blocks; // f ignores every input: J = 0
    for (let k = 0; k < out.numel; k++) {
      const e = new Float64Array(out.numel);
      e[k] = 1;
      const gs = gradients([out], ps, [Tensor.fromData(e, out.shape, "float64")], {
        retainGraph: true,
        allowUnused: true,
      });
      gs.forEach((g, i) => {
        check(
          sameShape(g.shape, ps[i].shape),
          "gradcheck",
          () => `the gradient of input ${i} has shape ${fmtShape(g.shape)}, not ${fmtShape(ps[i].shape)}`,
        );
        blocks[i].set(g.toTypedArray(), k * ps[i].numel);
      });
    }
    return blocks;
  });
}

/** numeric[o][i]: the same layout, by central differences on the private storage of each input. */
function numericJacobian(f: CheckedFn, ps: readonly Tensor[], outs: readonly Tensor[], eps: number) {
  const blocks = outs.map((out) => ps.map((p) => new Float64Array(out.numel * p.numel)));
  const evaluate = (): Float64Array[] =>
    noGrad(() => outputsOf(f, ps)).map((o, k) => {
      check(
        sameShape(o.shape, outs[k].shape),
        "gradcheck",
        () => `output ${k} changed shape between calls (${fmtShape(outs[k].shape)} → ${fmtShape(o.shape)})`,
      );
      return Float64Array.from(o.toTypedArray());
    });
  ps.forEach((p, i) => {
    const data = p.data;
    for (let j = 0; j < p.numel; j++) {
      const at = unravel(j, p.shape).reduce((s, v, d) => s + v * p.strides[d], p.offset);
      const orig = data[at];
      data[at] = orig + eps;
      const plus = evaluate();
      data[at] = orig - eps;
      const minus = evaluate();
      data[at] = orig;
      outs.forEach((out, o) => {
        for (let k = 0; k < out.numel; k++)
          blocks[o][i][k * p.numel + j] = (plus[o][k] - minus[o][k]) / (2 * eps);
      });
    }
  });
  return blocks;
}

/** The entry with the largest error/tolerance ratio (NaN counts as infinitely wrong). */
function compare(
  outs: readonly Tensor[],
  ps: readonly Tensor[],
  analytic: Float64Array[][],
  numeric: Float64Array[][],
  atol: number,
  rtol: number,
): { worst: GradcheckEntry | null; score: number; entries: number } {
  let worst: GradcheckEntry | null = null;
  let score = -1;
  let entries = 0;
  for (let o = 0; o < outs.length; o++)
    for (let i = 0; i < ps.length; i++) {
      const [a, n] = [analytic[o][i], numeric[o][i]];
      for (let e = 0; e < a.length; e++, entries++) {
        const error = Math.abs(a[e] - n[e]);
        const tolerance = atol + rtol * Math.abs(n[e]);
        const s = error === 0 ? 0 : Number.isNaN(error) ? Infinity : error / tolerance;
        if (s <= score) continue;
        score = s;
        const [k, j] = [Math.floor(e / ps[i].numel), e % ps[i].numel];
        const [inputIndex, outputIndex] = [unravel(j, ps[i].shape), unravel(k, outs[o].shape)];
        worst = {
          input: i,
          inputIndex,
          output: o,
          outputIndex,
          analytic: a[e],
          numeric: n[e],
          error,
          tolerance,
        };
      }
    }
  return { worst, score, entries };
}

function describe(w: GradcheckEntry): string {
  return (
    `Jacobian mismatch for output ${w.output} element [${w.outputIndex}] with respect to input ${w.input} ` +
    `element [${w.inputIndex}]: analytic ${w.analytic}, numeric ${w.numeric} ` +
    `(|error| ${w.error} > tolerance ${w.tolerance})`
  );
}

/**
 * Checks a function's backward rules against finite differences, like torch.autograd.gradcheck: for every
 * output element k and input element j, compares the analytic ∂y_k/∂x_j (from a basis vjp) with
 * (f(x + ε e_j) - f(x - ε e_j))_k / 2ε, and passes when |analytic - numeric| ≤ atol + rtol·|numeric|.
 * @param f a function of float64 tensors returning a float64 tensor (or a list of them).
 * @param inputs float64 tensors (any layout without overlap; the caller's tensors are not modified).
 * @returns `{ ok, worst, entries }`; throws a ChainruleError naming the worst entry when not ok and
 * `raiseException` (default true).
 */
export function gradcheck(
  f: CheckedFn,
  inputs: readonly Tensor[],
  opts: GradcheckOptions = {},
): GradcheckResult {
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3, raiseException = true } = opts;
  check(eps > 0 && atol >= 0 && rtol >= 0, "gradcheck", () => `need eps > 0, atol ≥ 0, rtol ≥ 0`);
  check(Array.isArray(inputs) && inputs.length > 0, "gradcheck", () => "expected a non-empty list of inputs");
  const ps = inputs.map(privateCopy);
  const outs = enableGrad(() => outputsOf(f, ps));
  const analytic = analyticJacobian(outs, ps);
  const numeric = numericJacobian(f, ps, outs, eps);
  const { worst, score, entries } = compare(outs, ps, analytic, numeric, atol, rtol);
  const ok = score <= 1;
  if (!ok && raiseException && worst) throw new ChainruleError("gradcheck", describe(worst));
  return { ok, worst, entries };
}
/**
 * Second-order check, like torch.autograd.gradgradcheck: gradchecks the map (x, v) ↦ vᵀ ∂f/∂x computed
 * with createGraph, so the backward rules' own derivatives (w.r.t. x and the cotangent v) are verified.
 * @param opts.gradOutputs the cotangents v (float64, one per output); random normal draws by default.
 */
export function gradgradcheck(
  f: CheckedFn,
  inputs: readonly Tensor[],
  opts: GradcheckOptions & { gradOutputs?: readonly Tensor[] } = {},
): GradcheckResult {
  const n = inputs.length;
  inputs.forEach(checkInput);
  const shapes = noGrad(() => outputsOf(f, inputs)).map((o) => o.shape);
  const vs = opts.gradOutputs ?? shapes.map((s) => randn(s, { dtype: "float64" }));
  check(
    vs.length === shapes.length && vs.every((v, k) => v instanceof Tensor && sameShape(v.shape, shapes[k])),
    "gradgradcheck",
    () => `gradOutputs must be one tensor per output, of shapes ${shapes.map(fmtShape).join(", ")}`,
  );
  const backwardOf = (...args: Tensor[]): Tensor[] =>
    enableGrad(() => {
      const [xs, ws] = [args.slice(0, n), args.slice(n)];
      const outs = outputsOf(f, xs);
      const live = outs.map((o, k) => k).filter((k) => outs[k].requiresGrad);
      if (live.length === 0) return xs.map((x) => noGrad(() => x.mul(0)));
      return gradients(
        live.map((k) => outs[k]),
        xs,
        live.map((k) => ws[k]),
        { createGraph: true, retainGraph: true, allowUnused: true },
      );
    });
  return gradcheck(backwardOf, [...inputs, ...vs], opts);
}
