// Why backprop: for a scalar loss of n inputs, reverse mode gets the whole gradient from one forward and
// one backward pass; forward mode (jvp) needs one pass per input and central differences two evaluations
// per input. Measured as passes and as time while n grows; plus the Jacobian of an elementwise op, which is
// diagonal (so nobody stores it). Run: npx tsx experiments/reverse-vs-forward.ts
import * as cr from "../src/index.js";
import { mainBlock, values, writeFigure, type Experiment, type RunOptions } from "./lib/common.js";
import { matrixGrid } from "./lib/plots.js";

const { viz } = cr;

export const claim =
  "For a scalar loss, reverse mode costs one backward pass whatever the number of inputs n; forward mode and finite differences cost O(n) passes.";

/** A scalar loss of n inputs with coupling between them: Σ log(1 + (Wx)ᵢ²) + Σ sin(x)·x, W fixed. */
function makeLoss(n: number): { f: (x: cr.Tensor) => cr.Tensor; calls: { count: number } } {
  cr.manualSeed(n);
  const w = cr.randn([n, n], { dtype: "float64" }).div(Math.sqrt(n));
  const calls = { count: 0 };
  const f = (x: cr.Tensor) => {
    calls.count++;
    const wx = w.matmul(x);
    return wx.square().log1p().sum().add(x.sin().mul(x).sum());
  };
  return { f, calls };
}

type Method = "reverse" | "forward" | "numerical";

/** The gradient of f at x by one method. */
function gradientBy(method: Method, f: (x: cr.Tensor) => cr.Tensor, x: cr.Tensor): number[] {
  const n = x.numel;
  if (method === "reverse") return values(cr.grad(f)(x) as cr.Tensor);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const e = cr.zeros([n], { dtype: "float64" });
    e.data[i] = 1;
    if (method === "forward") out.push(cr.jvp(f, x, e).jvp.item());
    else {
      const h = 1e-6;
      const [up, down] = cr.noGrad(() => [f(x.add(e.mul(h))).item(), f(x.sub(e.mul(h))).item()]);
      out.push((up - down) / (2 * h));
    }
  }
  return out;
}

/** Calls of f, gradient and best-of-`repeats` milliseconds of each method at input size n. */
function measure(n: number, repeats: number) {
  const { f, calls } = makeLoss(n);
  const x = cr.randn([n], { dtype: "float64" });
  const methods: Method[] = ["reverse", "forward", "numerical"];
  return methods.map((method) => {
    let ms = Infinity;
    let grad: number[] = [];
    let count = 0;
    // the best of several runs (at least `repeats`, and at least 50 ms in all) filters out GC pauses
    for (let r = 0, spent = 0; r < repeats || (spent < 50 && r < 50); r++) {
      calls.count = 0;
      const t0 = performance.now();
      grad = gradientBy(method, f, x);
      const t = performance.now() - t0;
      [ms, spent, count] = [Math.min(ms, t), spent + t, calls.count];
    }
    return { method, ms, grad, calls: count };
  });
}

const maxDiff = (a: readonly number[], b: readonly number[]) =>
  Math.max(...a.map((v, i) => Math.abs(v - b[i])));

/** The Jacobian of tanh (elementwise) and of softmax (not) at the same 8 inputs, as nested arrays. */
function jacobians() {
  cr.manualSeed(3);
  const x = cr.randn([8], { dtype: "float64" });
  const rows = (j: cr.Tensor) => j.toArray() as number[][];
  const tanhJ = rows(cr.jacobian((v) => v.tanh(), x));
  const softJ = rows(cr.jacobian((v) => v.softmax(0), x));
  const offDiagonal = (m: number[][]) => m.flatMap((r, i) => r.filter((v, j) => i !== j && v !== 0)).length;
  const t = values(x.tanh());
  const diagError = Math.max(...tanhJ.map((r, i) => Math.abs(r[i] - (1 - t[i] ** 2))));
  return { tanhJ, softJ, tanhOff: offDiagonal(tanhJ), softOff: offDiagonal(softJ), diagError };
}

async function run(opts: RunOptions) {
  const sizes = opts.fast ? [2, 8, 32] : [1, 2, 4, 8, 16, 32, 64, 128, 256];
  measure(16, 5); // warm up the JIT before timing
  const rows = sizes.map((n) => ({ n, results: measure(n, opts.fast ? 1 : 3) }));
  const at = (n: number, m: Method) => rows.find((r) => r.n === n)!.results.find((r) => r.method === m)!;
  const nMax = sizes[sizes.length - 1];
  const [rev, fwd, num] = (["reverse", "forward", "numerical"] as const).map((m) => at(nMax, m));
  const jac = jacobians();

  const timeChart = viz.lineChart(
    (["reverse", "forward", "numerical"] as const).map((m) => ({
      name: {
        reverse: "reverse mode (backprop)",
        forward: "forward mode (n jvp's)",
        numerical: "central differences",
      }[m],
      x: sizes,
      y: rows.map((r) => r.results.find((q) => q.method === m)!.ms),
    })),
    {
      title: "Time for the full gradient of a scalar loss of n inputs",
      xLabel: "number of inputs n",
      yLabel: "milliseconds (log scale, best of repeats)",
      logX: true,
      logY: true,
      width: 720,
    },
  );
  const jacFigure = matrixGrid(
    [
      {
        title: "∂ tanh(x) / ∂x  (elementwise)",
        rows: jac.tanhJ,
        caption: `${jac.tanhOff} off-diagonal nonzeros`,
      },
      {
        title: "∂ softmax(x) / ∂x  (couples inputs)",
        rows: jac.softJ,
        caption: `${jac.softOff} off-diagonal nonzeros`,
      },
    ],
    { title: "Jacobians at 8 inputs: white cells are exactly 0", cell: 26 },
  );
  return {
    numbers: {
      n: nMax,
      f_calls_reverse: rev.calls,
      f_calls_forward: fwd.calls,
      f_calls_numerical: num.calls,
      ms_reverse: rev.ms,
      ms_forward: fwd.ms,
      ms_numerical: num.ms,
      forward_over_reverse_time: fwd.ms / rev.ms,
      max_diff_forward_vs_reverse: maxDiff(fwd.grad, rev.grad),
      max_diff_numerical_vs_reverse: maxDiff(num.grad, rev.grad),
      tanh_jacobian_offdiag_nonzeros: jac.tanhOff,
      tanh_jacobian_diag_error: jac.diagError,
      softmax_jacobian_offdiag_nonzeros: jac.softOff,
    },
    figures: [
      writeFigure(opts, "reverse-vs-forward-cost.svg", timeChart),
      writeFigure(opts, "jacobian-sparsity.svg", jacFigure),
    ],
  };
}

export const experiment: Experiment = { claim, run };
export { run };
mainBlock(import.meta.url, experiment);
