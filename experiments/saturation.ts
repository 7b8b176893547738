// Saturation: with a sigmoid output, the squared error's gradient vanishes exactly where the model is
// badly wrong (σ′(z) → 0), while cross-entropy's log undoes the sigmoid and keeps dL/dz = σ(z) − t.
// Measured by autograd on a grid of logits, and on training from a confidently wrong initialization.
// Run: npx tsx experiments/saturation.ts
import * as cr from "../src/index.js";
import {
  binaryAccuracy,
  column,
  fmt,
  mainBlock,
  values,
  writeFigure,
  type Experiment,
  type RunOptions,
} from "./lib/common.js";

const { nn, optim, viz } = cr;
const F = nn.functional;

export const claim =
  "On badly wrong outputs, sigmoid + MSE saturates (tiny gradient) while sigmoid + cross-entropy keeps a large one.";

type Cost = "mse" | "ce";

/** The cost of probabilities σ(z) against targets t (same shapes). */
function cost(kind: Cost, z: cr.Tensor, t: cr.Tensor): cr.Tensor {
  const p = F.sigmoid(z);
  return kind === "mse"
    ? F.mseLoss(p, t, { reduction: "sum" })
    : F.binaryCrossEntropy(p, t, { reduction: "sum" });
}

/** dL/dz at every logit in `zs` for target 1, by reverse-mode autodiff (float64). */
export function logitGradients(kind: Cost, zs: readonly number[]): number[] {
  const z = cr.tensor(zs, { dtype: "float64", requiresGrad: true });
  const [g] = cr.gradients([cost(kind, z, cr.onesLike(z))], [z]);
  return values(g);
}

/** Logistic regression on two blobs, started with weights that make it confidently wrong, trained by SGD. */
function train(kind: Cost, x: cr.Tensor, y: cr.Tensor, steps: number): { acc: number[]; loss: number[] } {
  const model = new nn.Linear(2, 1);
  cr.noGrad(() => {
    model.weight.copy_(cr.tensor([[-4, 0]])); // logit −4·x₁: about −8 on class 1's centre, +8 on class 0's
    model.bias?.zero_();
  });
  const opt = new optim.SGD(model.parameters(), { lr: 0.5 });
  const t = column(y);
  const acc: number[] = [];
  const loss: number[] = [];
  for (let s = 0; s <= steps; s++) {
    acc.push(binaryAccuracy((v) => model.forward(v), x, y));
    opt.zeroGrad();
    const l = cost(kind, model.forward(x), t).div(x.shape[0]);
    loss.push(l.item());
    l.backward();
    opt.step();
  }
  return { acc, loss };
}

/** The first step at which accuracy reaches `level` (steps + 1 when it never does). */
const stepsTo = (acc: readonly number[], level: number): number => {
  const i = acc.findIndex((a) => a >= level);
  return i < 0 ? acc.length : i;
};

async function run(opts: RunOptions) {
  const n = opts.fast ? 41 : 201;
  const zs = Array.from({ length: n }, (_, i) => -10 + (20 * i) / (n - 1));
  const gMse = logitGradients("mse", zs);
  const gCe = logitGradients("ce", zs);
  const [mseAt, ceAt] = [logitGradients("mse", [-10])[0], logitGradients("ce", [-10])[0]];

  const { x, y } = cr.data.blobs(200, { centers: [[-2, 0], [2, 0]], noise: 0.6, seed: 2 }); // prettier-ignore
  const steps = opts.fast ? 60 : 400;
  const mse = train("mse", x, y, steps);
  const ce = train("ce", x, y, steps);

  const gradChart = viz.lineChart(
    [
      { name: "sigmoid + MSE", x: zs, y: gMse.map(Math.abs) },
      { name: "sigmoid + cross-entropy", x: zs, y: gCe.map(Math.abs) },
    ],
    {
      title: `|dL/dz| for target 1: at z = −10, CE/MSE = ${fmt(ceAt / mseAt)}`,
      xLabel: "logit z (target 1: z ≪ 0 is badly wrong)",
      yLabel: "|dL/dz| (log scale)",
      logY: true,
      width: 700,
    },
  );
  const curves = viz.lineChart(
    [
      { name: "sigmoid + MSE", y: mse.acc },
      { name: "sigmoid + cross-entropy", y: ce.acc },
    ],
    {
      title: "Training from a confidently wrong start (SGD, lr 0.5)",
      xLabel: "step",
      yLabel: "training accuracy",
      yDomain: [0, 1.1],
      width: 700,
    },
  );
  return {
    numbers: {
      grad_mse_at_z_minus10: Math.abs(mseAt),
      grad_ce_at_z_minus10: Math.abs(ceAt),
      grad_ratio_ce_over_mse: ceAt / mseAt,
      steps_to_95pct_mse: stepsTo(mse.acc, 0.95),
      steps_to_95pct_ce: stepsTo(ce.acc, 0.95),
      final_accuracy_mse: mse.acc[mse.acc.length - 1],
      final_accuracy_ce: ce.acc[ce.acc.length - 1],
    },
    figures: [
      writeFigure(opts, "saturation-gradients.svg", gradChart),
      writeFigure(opts, "saturation-training.svg", curves),
    ],
  };
}

export const experiment: Experiment = { claim, run };
export { run };
mainBlock(import.meta.url, experiment);
