// The activation gallery (each function with its autograd derivative), and dead ReLUs: the fraction of
// hidden ReLU units that output 0 on every training input after training, against the learning rate,
// averaged over seeds, for plain SGD and for Adam. Run: npx tsx experiments/activations.ts
import * as cr from "../src/index.js";
import { fmt, mainBlock, trainBinary, writeFigure, type Experiment, type RunOptions } from "./lib/common.js";

const { nn, viz } = cr;

export const claim =
  "A ReLU unit that outputs 0 on every input gets no gradient and stays dead; large learning rates kill more units.";

/** Fraction of the ReLU units of `net` that are 0 on every row of `x` (and so receive no gradient). */
export function deadFraction(net: cr.nn.Sequential, x: cr.Tensor): number {
  return cr.noGrad(() => {
    let h = x;
    let dead = 0;
    let total = 0;
    for (const layer of net.children()) {
      h = layer.forward(h);
      if (!(layer instanceof nn.ReLU)) continue;
      const alive = h.gt(0).to("float32").amax(0); // 1 where the unit fires on some input
      dead += alive.numel - alive.sum().item();
      total += alive.numel;
    }
    return dead / total;
  });
}

function reluNet(seed: number): cr.nn.Sequential {
  cr.manualSeed(seed);
  return new nn.Sequential(
    new nn.Linear(2, 32),
    new nn.ReLU(),
    new nn.Linear(32, 32),
    new nn.ReLU(),
    new nn.Linear(32, 1),
  );
}

/** Mean dead fraction over `seeds` runs at each learning rate. */
function sweep(
  x: cr.Tensor,
  y: cr.Tensor,
  lrs: readonly number[],
  seeds: number,
  steps: number,
  optimizer: "sgd" | "adam",
): number[] {
  return lrs.map((lr) => {
    let sum = 0;
    for (let seed = 0; seed < seeds; seed++) {
      const net = reluNet(seed);
      trainBinary(net, x, y, { steps, lr, optimizer });
      sum += deadFraction(net, x);
    }
    return sum / seeds;
  });
}

async function run(opts: RunOptions) {
  const { x, y } = cr.data.moons(200, { noise: 0.1, seed: 1 });
  const lrs = opts.fast ? [0.01, 0.3, 3] : [0.003, 0.01, 0.03, 0.1, 0.3, 1, 3];
  const seeds = opts.fast ? 2 : 5;
  const steps = opts.fast ? 100 : 200;
  let atInit = 0;
  for (let seed = 0; seed < seeds; seed++) atInit += deadFraction(reluNet(seed), x) / seeds;
  const sgd = sweep(x, y, lrs, seeds, steps, "sgd");
  const adam = sweep(x, y, lrs, seeds, steps, "adam");

  const chart = viz.lineChart(
    [
      { name: "SGD", x: lrs, y: sgd },
      { name: "Adam", x: lrs, y: adam },
      { name: "at initialization", x: [lrs[0], lrs[lrs.length - 1]], y: [atInit, atInit], dash: true },
    ],
    {
      title: `Dead ReLUs after ${steps} steps (2-32-32-1 MLP, moons, ${seeds} seeds)`,
      xLabel: "learning rate",
      yLabel: "fraction of hidden units dead on all inputs",
      logX: true,
      yDomain: [0, 1],
      width: 720,
    },
  );
  const numbers: Record<string, number> = { dead_at_init: atInit };
  lrs.forEach((lr, i) => (numbers[`dead_sgd_lr_${fmt(lr)}`] = sgd[i]));
  lrs.forEach((lr, i) => (numbers[`dead_adam_lr_${fmt(lr)}`] = adam[i]));
  return {
    numbers,
    figures: [
      writeFigure(opts, "activation-gallery.svg", viz.activationGallery()),
      writeFigure(opts, "dead-relu-vs-lr.svg", chart),
    ],
  };
}

export const experiment: Experiment = { claim, run };
export { run };
mainBlock(import.meta.url, experiment);
