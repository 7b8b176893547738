// Outliers: fitting y = w·x + b by gradient descent with the squared error (Euclidean loss), the absolute
// error (L1) and Huber's loss on data where a tenth of the points are gross outliers. The squared error
// lets the outliers pull the line; the robust losses barely move. Run: npx tsx experiments/outliers.ts
import * as cr from "../src/index.js";
import { fmt, mainBlock, values, writeFigure, type Experiment, type RunOptions } from "./lib/common.js";
import { overlayChart } from "./lib/plots.js";

const { nn, optim } = cr;
const F = nn.functional;

export const claim =
  "The squared error is sensitive to outliers; L1 and Huber fits stay close to the true line.";

const TRUE_SLOPE = 2;
const TRUE_INTERCEPT = 1;

/** n points on y = 2x + 1 (x uniform in [0, 10], noise σ = 0.5), the last tenth moved 25 down at large x. */
export function outlierData(n: number, seed: number): { x: cr.Tensor; y: cr.Tensor; outlier: boolean[] } {
  cr.manualSeed(seed);
  const k = Math.round(n / 10);
  const x = values(cr.rand([n])).map((u, i) => (i < n - k ? 10 * u : 8 + 2 * u));
  const noise = values(cr.randn([n]));
  const y = x.map((v, i) => TRUE_SLOPE * v + TRUE_INTERCEPT + 0.5 * noise[i] - (i < n - k ? 0 : 25));
  return {
    x: cr.tensor(x).reshape(n, 1),
    y: cr.tensor(y).reshape(n, 1),
    outlier: x.map((_, i) => i >= n - k),
  };
}

type LossName = "MSE" | "L1" | "Huber";
const LOSSES: Record<LossName, (p: cr.Tensor, t: cr.Tensor) => cr.Tensor> = {
  MSE: (p, t) => F.mseLoss(p, t),
  L1: (p, t) => F.l1Loss(p, t),
  Huber: (p, t) => F.huberLoss(p, t, { delta: 1 }),
};

/** Full-batch Adam on one Linear(1, 1); returns the fitted slope and intercept. */
function fit(
  loss: LossName,
  x: cr.Tensor,
  y: cr.Tensor,
  steps: number,
): { slope: number; intercept: number } {
  cr.manualSeed(0);
  const line = new nn.Linear(1, 1);
  const opt = new optim.Adam(line.parameters(), { lr: 0.1 });
  const sched = new optim.CosineAnnealingLR(opt, steps);
  for (let s = 0; s < steps; s++) {
    opt.zeroGrad();
    LOSSES[loss](line.forward(x), y).backward();
    opt.step();
    sched.step();
  }
  return { slope: line.weight.item(), intercept: (line.bias as cr.Tensor).item() };
}

async function run(opts: RunOptions) {
  const { x, y, outlier } = outlierData(60, 4);
  const steps = opts.fast ? 300 : 1500;
  const fits = (Object.keys(LOSSES) as LossName[]).map((name) => ({ name, ...fit(name, x, y, steps) }));
  const xs = values(x);
  const ys = values(y);
  const line = (slope: number, intercept: number) => [0, 10].map((v) => slope * v + intercept);
  const chart = overlayChart(
    [
      ...fits.map((f, i) => ({
        name: `${f.name} fit: slope ${fmt(f.slope)}`,
        x: [0, 10],
        y: line(f.slope, f.intercept),
        color: ["#D55E00", "#0072B2", "#009E73"][i],
      })),
      {
        name: "true line y = 2x + 1",
        x: [0, 10],
        y: line(TRUE_SLOPE, TRUE_INTERCEPT),
        color: "#000000",
        dash: true,
      },
    ],
    [
      {
        name: "data",
        x: xs.filter((_, i) => !outlier[i]),
        y: ys.filter((_, i) => !outlier[i]),
        color: "#999999",
      },
      {
        name: "outliers",
        x: xs.filter((_, i) => outlier[i]),
        y: ys.filter((_, i) => outlier[i]),
        color: "#CC79A7",
        hollow: true,
      },
    ],
    {
      title: "Regression with 10 % outliers: squared error vs robust losses",
      xLabel: "x",
      yLabel: "y",
      width: 720,
    },
  );
  // the closed-form least-squares slope, to show that the MSE fit converged to it
  const mx = xs.reduce((a, b) => a + b) / xs.length;
  const my = ys.reduce((a, b) => a + b) / ys.length;
  const olsSlope =
    xs.reduce((a, v, i) => a + (v - mx) * (ys[i] - my), 0) / xs.reduce((a, v) => a + (v - mx) ** 2, 0);
  const numbers: Record<string, number> = { slope_least_squares_closed_form: olsSlope };
  for (const f of fits) {
    numbers[`slope_${f.name}`] = f.slope;
    numbers[`slope_error_${f.name}`] = Math.abs(f.slope - TRUE_SLOPE);
  }
  return { numbers, figures: [writeFigure(opts, "outliers-fits.svg", chart)] };
}

export const experiment: Experiment = { claim, run };
export { run };
mainBlock(import.meta.url, experiment);
