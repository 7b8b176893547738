// XOR, the lecture's first hidden layer: a linear model cannot separate it, a 2-2-1 MLP can, and the
// hidden layer's representation h = tanh(W₁x + b₁) is linearly separable (a fresh logistic regression on h
// fits it). Run: npx tsx experiments/xor.ts
import * as cr from "../src/index.js";
import {
  binaryAccuracy,
  mainBlock,
  trainBinary,
  writeFigure,
  type Experiment,
  type RunOptions,
} from "./lib/common.js";

const { nn, viz } = cr;

export const claim =
  "XOR is not linearly separable in x, but an MLP learns a hidden representation h in which it is.";

/** Four Gaussian clusters at the corners of the unit square; class 1 where exactly one coordinate is 1. */
export function xorClusters(n: number, seed: number): { x: cr.Tensor; y: cr.Tensor } {
  const centers: [number, number][] = [
    [0, 0],
    [1, 1],
    [0, 1],
    [1, 0],
  ];
  const d = cr.data.blobs(n, { centers, noise: 0.12, seed });
  return { x: d.x, y: d.y.ge(2).to("int32") };
}

function mlp(width: number, seed: number): cr.nn.Sequential {
  cr.manualSeed(seed);
  return new nn.Sequential(new nn.Linear(2, width), new nn.Tanh(), new nn.Linear(width, 1));
}

/** The fraction of 2-w-1 MLPs, trained from seeds 0 … seeds-1, that fit XOR exactly. */
function fitRate(x: cr.Tensor, y: cr.Tensor, width: number, seeds: number, steps: number): number {
  let solved = 0;
  for (let seed = 0; seed < seeds; seed++) {
    const model = mlp(width, seed);
    trainBinary(model, x, y, { steps, lr: 0.05 });
    if (binaryAccuracy((v) => model.forward(v), x, y) === 1) solved++;
  }
  return solved / seeds;
}

/** The seed of the 2-2-1 MLP drawn: the first of 0, 1, … that fits (the sweep reports how rare that is). */
const MLP_SEED = 3;

async function run(opts: RunOptions) {
  const { x, y } = xorClusters(200, 7);
  const steps = 200;
  const seeds = opts.fast ? 2 : 10;

  cr.manualSeed(0);
  const linear = new nn.Linear(2, 1);
  trainBinary(linear, x, y, { steps, lr: 0.05 });
  const linearAcc = binaryAccuracy((v) => linear.forward(v), x, y);

  const model = mlp(2, MLP_SEED);
  trainBinary(model, x, y, { steps, lr: 0.05 });
  const hiddenOf = (v: cr.Tensor) => cr.noGrad(() => model.at(1).forward(model.at(0).forward(v)));
  const h = hiddenOf(x);

  // a fresh linear classifier on the frozen hidden features: if it fits, h is linearly separable
  cr.manualSeed(1);
  const probe = new nn.Linear(2, 1);
  trainBinary(probe, h, y, { steps: 300, lr: 0.1 });
  const probeAcc = binaryAccuracy((v) => probe.forward(v), h, y);

  const classNames = ["x₁ = x₂ (0)", "x₁ ≠ x₂ (1)"];
  const figures = [
    writeFigure(
      opts,
      "xor-linear.svg",
      viz.decisionBoundary((v) => linear.forward(v), x, y, {
        title: `Linear model on XOR: accuracy ${linearAcc.toFixed(2)}`,
        xLabel: "x₁",
        yLabel: "x₂",
        classNames,
      }),
    ),
    writeFigure(
      opts,
      "xor-input-space.svg",
      viz.decisionBoundary((v) => model.forward(v), x, y, {
        title: `2-2-1 tanh MLP on XOR: accuracy ${binaryAccuracy((v) => model.forward(v), x, y).toFixed(2)}`,
        xLabel: "x₁",
        yLabel: "x₂",
        classNames,
      }),
    ),
    writeFigure(
      opts,
      "xor-hidden-space.svg",
      viz.decisionBoundary((v) => probe.forward(v), h, y, {
        title: `Hidden space h = tanh(W₁x + b₁): a line separates (acc. ${probeAcc.toFixed(2)})`,
        xLabel: "h₁",
        yLabel: "h₂",
        classNames,
        width: 620,
      }),
    ),
  ];
  return {
    numbers: {
      linear_accuracy: linearAcc,
      mlp_accuracy: binaryAccuracy((v) => model.forward(v), x, y),
      hidden_linear_probe_accuracy: probeAcc,
      mlp_seed: MLP_SEED,
      seeds_tried: seeds,
      width2_fit_rate: fitRate(x, y, 2, seeds, steps),
      width8_fit_rate: fitRate(x, y, 8, seeds, steps),
    },
    figures,
  };
}

export const experiment: Experiment = { claim, run };
export { run };
mainBlock(import.meta.url, experiment);
