// Universal approximation: one hidden tanh layer fits a 1-D function better as it grows wider. Width
// versus depth at an equal parameter count: a deep ReLU net of width 2 computes a sawtooth with 2ᵏ linear
// pieces from 6k + 1 parameters (the tent map composed k times), which a one-hidden-layer net with as
// many parameters cannot represent (n units give at most n + 1 pieces); and what gradient descent finds
// when both are trained from random weights. Run: npx tsx experiments/universal-approximation.ts
import * as cr from "../src/index.js";
import { fmt, mainBlock, values, writeFigure, type Experiment, type RunOptions } from "./lib/common.js";

const { nn, optim, viz } = cr;
const F = nn.functional;

export const claim =
  "A wide enough hidden layer approximates any 1-D function (error falls with width); depth buys exponentially many linear pieces per parameter.";

/** An MLP with the given layer widths and an activation between Linear layers. */
function mlp(widths: readonly number[], act: () => cr.nn.Module): cr.nn.Sequential {
  const layers: cr.nn.Module[] = [];
  for (let i = 0; i + 1 < widths.length; i++) {
    layers.push(new nn.Linear(widths[i], widths[i + 1]));
    if (i + 2 < widths.length) layers.push(act());
  }
  return new nn.Sequential(...layers);
}

/** Full-batch Adam with cosine decay on the mean squared error; returns the final training MSE. */
function fit(model: cr.nn.Module, x: cr.Tensor, y: cr.Tensor, steps: number, lr = 0.01): number {
  const opt = new optim.Adam(model.parameters(), { lr });
  const sched = new optim.CosineAnnealingLR(opt, steps);
  for (let s = 0; s < steps; s++) {
    opt.zeroGrad();
    F.mseLoss(model.forward(x), y).backward();
    opt.step();
    sched.step();
  }
  return cr.noGrad(() => F.mseLoss(model.forward(x), y)).item();
}

/** The tent map composed k times as a ReLU net of width 2: Linear(1,2), k−1 × Linear(2,2), Linear(2,1). */
export function sawtoothNet(k: number): cr.nn.Sequential {
  const net = mlp([1, ...Array<number>(k).fill(2), 1], () => new nn.ReLU());
  const linears = net.children().filter((m): m is cr.nn.Linear => m instanceof nn.Linear);
  cr.noGrad(() => {
    // tent(x) = 2·relu(x) − 4·relu(x − ½) on [0, 1]; each layer feeds tent's output into the next pair
    linears[0].weight.copy_(cr.tensor([[1], [1]]));
    linears[0].bias?.copy_(cr.tensor([0, -0.5]));
    for (const l of linears.slice(1, -1)) {
      l.weight.copy_(cr.tensor([[2, -4], [2, -4]])); // prettier-ignore
      l.bias?.copy_(cr.tensor([0, -0.5]));
    }
    linears[linears.length - 1].weight.copy_(cr.tensor([[2, -4]]));
    linears[linears.length - 1].bias?.zero_();
  });
  return net;
}

/** Linear pieces of samples ys on an even grid: 1 + the number of slope changes. */
export function countPieces(ys: readonly number[]): number {
  const slopes = ys.slice(1).map((v, i) => v - ys[i]);
  const tol = 1e-6 * Math.max(...slopes.map(Math.abs));
  return 1 + slopes.slice(1).filter((s, i) => Math.abs(s - slopes[i]) > tol).length;
}

/** The variance of samples: the MSE of the best constant predictor. */
const variance = (v: readonly number[]): number => {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length;
};

/** Error against width for one hidden tanh layer on sin(2x) + 0.3 sin(5x), x ∈ [−π, π]. */
function widthSweep(widths: readonly number[], steps: number) {
  const n = 200;
  const x = cr.linspace(-Math.PI, Math.PI, n).reshape(n, 1);
  const y = cr.noGrad(() => x.mul(2).sin().add(x.mul(5).sin().mul(0.3)));
  const fits = widths.map((w) => {
    cr.manualSeed(0);
    const model = mlp([1, w, 1], () => new nn.Tanh());
    const mse = fit(model, x, y, steps);
    return { w, mse, pred: values(cr.noGrad(() => model.forward(x))) };
  });
  return { x: values(x), y: values(y), fits };
}

/** The depth-k sawtooth against a trained one-hidden-layer ReLU net with as many parameters. */
function sawtooth(k: number, steps: number) {
  const grid = cr.linspace(0, 1, 2 ** k * 16 + 1, { dtype: "float64" }).reshape(-1, 1);
  const deep = sawtoothNet(k).double();
  const target = values(cr.noGrad(() => deep.forward(grid)));
  const params = deep.numParameters();
  const width = Math.floor((params - 1) / 3); // 3w + 1 parameters
  cr.manualSeed(0);
  const shallow = mlp([1, width, 1], () => new nn.ReLU()).double();
  const y = cr.tensor(target, { dtype: "float64" }).reshape(-1, 1);
  const mse = fit(shallow, grid, y, steps, 0.02);
  const shallowPred = values(cr.noGrad(() => shallow.forward(grid)));
  return { grid: values(grid), target, params, width, mse, shallowPred, pieces: countPieces(target) };
}

/** Mean training MSE of a shallow and a deep ReLU net with 169 parameters each, on a 3-tooth triangle wave. */
function trainedComparison(seeds: number, steps: number) {
  const n = 256;
  const xs = Array.from({ length: n }, (_, i) => -1 + (2 * i) / (n - 1));
  const tri = (v: number) => Math.abs(2 * (1.5 * (v + 1) - Math.floor(1.5 * (v + 1))) - 1);
  const x = cr.tensor(xs).reshape(n, 1);
  const y = cr.tensor(xs.map(tri)).reshape(n, 1);
  const mean = (widths: number[]) => {
    let sum = 0;
    for (let seed = 0; seed < seeds; seed++) {
      cr.manualSeed(seed);
      sum += fit(
        mlp(widths, () => new nn.ReLU()),
        x,
        y,
        steps,
      );
    }
    return sum / seeds;
  };
  return { shallow: mean([1, 56, 1]), deep: mean([1, 8, 8, 8, 1]), params: 169 };
}

const DEPTH = 5;

/** The three figures: fits by width, error against width, and the sawtooth against the shallow fit. */
function charts(sweep: ReturnType<typeof widthSweep>, saw: ReturnType<typeof sawtooth>, steps: number) {
  const widths = sweep.fits.map((f) => f.w);
  const shown = sweep.fits.filter((f) => [1, 4, 16].includes(f.w));
  const fitsChart = viz.lineChart(
    [
      { name: "target sin 2x + 0.3 sin 5x", x: sweep.x, y: sweep.y, color: "#000000", width: 3 },
      ...shown.map((f, i) => ({
        name: `width ${f.w}: MSE ${fmt(f.mse)}`,
        x: sweep.x,
        y: f.pred,
        dash: i < 2,
        color: ["#D55E00", "#009E73", "#0072B2"][i],
      })),
    ],
    { title: "One hidden tanh layer, growing width", xLabel: "x", yLabel: "y", width: 720 },
  );
  const errorChart = viz.lineChart([{ name: "training MSE", x: widths, y: sweep.fits.map((f) => f.mse) }], {
    title: `Approximation error against width (${steps} Adam steps each)`,
    xLabel: "hidden units",
    yLabel: "mean squared error (log scale)",
    logX: true,
    logY: true,
    legend: false,
  });
  const depthChart = viz.lineChart(
    [
      {
        name: `deep: width 2, depth ${DEPTH}, ${saw.params} params (${saw.pieces} pieces)`,
        x: saw.grid,
        y: saw.target,
        color: "#000000",
        width: 2.5,
      },
      {
        name: `shallow: ${saw.width} units, ${3 * saw.width + 1} params, trained`,
        x: saw.grid,
        y: saw.shallowPred,
        color: "#D55E00",
      },
    ],
    {
      title: "Width vs depth at equal parameter count: a sawtooth",
      xLabel: "x",
      yLabel: "f(x)",
      width: 760,
      yDomain: [0, 1.2],
    },
  );
  return { fitsChart, errorChart, depthChart };
}

async function run(opts: RunOptions) {
  const widths = opts.fast ? [1, 4, 16] : [1, 2, 4, 8, 16, 32];
  const steps = opts.fast ? 300 : 2000;
  const sweep = widthSweep(widths, steps);
  const saw = sawtooth(DEPTH, steps);
  const trained = trainedComparison(opts.fast ? 1 : 3, steps);
  const { fitsChart, errorChart, depthChart } = charts(sweep, saw, steps);
  const numbers: Record<string, number> = {};
  for (const f of sweep.fits) numbers[`mse_width_${f.w}`] = f.mse;
  Object.assign(numbers, {
    sawtooth_depth: DEPTH,
    sawtooth_deep_params: saw.params,
    sawtooth_deep_linear_pieces: saw.pieces,
    sawtooth_shallow_width: saw.width,
    sawtooth_shallow_max_pieces: saw.width + 1,
    sawtooth_shallow_trained_mse: saw.mse,
    sawtooth_target_variance: variance(saw.target),
    trained_169_params_shallow_mse: trained.shallow,
    trained_169_params_deep_mse: trained.deep,
  });
  return {
    numbers,
    figures: [
      writeFigure(opts, "approximation-fits.svg", fitsChart),
      writeFigure(opts, "approximation-error-vs-width.svg", errorChart),
      writeFigure(opts, "width-vs-depth-sawtooth.svg", depthChart),
    ],
  };
}

export const experiment: Experiment = { claim, run };
export { run };
mainBlock(import.meta.url, experiment);
