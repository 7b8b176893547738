// KL divergence versus cross-entropy on soft targets: KL(t‖p) = CE(t, p) − H(t), so the two differ by the
// target's entropy, a constant of the model, and have identical gradients; then a blended cost
// α·MSE + β·KL (nn.BlendedLoss) whose terms live on different scales. Run: npx tsx experiments/kl-vs-ce.ts
import * as cr from "../src/index.js";
import { fmt, mainBlock, values, writeFigure, type Experiment, type RunOptions } from "./lib/common.js";

const { nn, optim, viz } = cr;
const F = nn.functional;

export const claim =
  "KL(t‖p) = CE(t, p) − H(t): the same gradients, offset by the target entropy; blended costs need their scales weighed.";

const ce = (logits: cr.Tensor, t: cr.Tensor) => F.crossEntropy(logits, t);
const kl = (logits: cr.Tensor, t: cr.Tensor) => F.klDiv(logits.logSoftmax(1), t, { reduction: "batchmean" });
const mseProbs = (logits: cr.Tensor, t: cr.Tensor) => F.mseLoss(logits.softmax(1), t);

/** Mean entropy −Σ t ln t of the rows of t (0 ln 0 = 0). */
function entropy(t: cr.Tensor): number {
  const v = values(t);
  const c = t.shape[1];
  let h = 0;
  for (const p of v) if (p > 0) h -= p * Math.log(p);
  return h / (v.length / c);
}

/**
 * Soft targets from a random one-hidden-layer tanh teacher (softmax at temperature 2) on random features;
 * a linear student cannot match them exactly, so KL stays above 0.
 */
function softTask(n: number, features: number, classes: number, dtype: "float32" | "float64") {
  const x = cr.randn([n, features], { dtype });
  const w1 = cr.randn([features, 16], { dtype });
  const w2 = cr.randn([16, classes], { dtype });
  return { x, t: cr.noGrad(() => x.matmul(w1).tanh().matmul(w2).div(2).softmax(1)) };
}

/** KL − CE against −H(t), and the largest difference between their gradients, at random logits (float64). */
function identity(): { gap: number; entropy: number; gradDiff: number } {
  cr.manualSeed(5);
  const { t } = softTask(16, 4, 5, "float64");
  const z = cr.randn([16, 5], { dtype: "float64" }).mul(3).requiresGrad_();
  const [lCe, lKl] = [ce(z, t), kl(z, t)];
  const [gCe] = cr.gradients([lCe], [z]);
  const [gKl] = cr.gradients([lKl], [z]);
  return {
    gap: lKl.item() - lCe.item(),
    entropy: entropy(t),
    gradDiff: gCe.sub(gKl).abs().max().item(),
  };
}

/** Trains Linear(6, 4) on soft targets with `loss`, recording each named term after every step. */
function train(
  loss: (logits: cr.Tensor, t: cr.Tensor) => cr.Tensor,
  track: Record<string, (logits: cr.Tensor, t: cr.Tensor) => number>,
  steps: number,
): Record<string, number[]> {
  cr.manualSeed(11);
  const { x, t } = softTask(64, 6, 4, "float32");
  const model = new nn.Linear(6, 4);
  const opt = new optim.Adam(model.parameters(), { lr: 0.05 });
  const curves: Record<string, number[]> = Object.fromEntries(Object.keys(track).map((k) => [k, []]));
  for (let s = 0; s <= steps; s++) {
    opt.zeroGrad();
    const logits = model.forward(x);
    for (const [k, f] of Object.entries(track)) curves[k].push(cr.noGrad(() => f(logits, t)));
    loss(logits, t).backward();
    opt.step();
  }
  curves.entropy = [entropy(t)];
  return curves;
}

async function run(opts: RunOptions) {
  const id = identity();
  const steps = opts.fast ? 60 : 300;
  const c = train(ce, { ce: (z, t) => ce(z, t).item(), kl: (z, t) => kl(z, t).item() }, steps);
  const h = c.entropy[0];

  const [alpha, beta] = [1, 1];
  const blend = new nn.BlendedLoss({
    mse: { loss: mseProbs, weight: alpha },
    kl: { loss: kl, weight: beta },
  });
  const b = train(
    (z, t) => blend.forward(z, t),
    {
      mse: (z, t) => alpha * mseProbs(z, t).item(),
      kl: (z, t) => beta * kl(z, t).item(),
    },
    steps,
  );

  const ceChart = viz.lineChart(
    [
      { name: "cross-entropy CE(t, p)", y: c.ce },
      { name: "KL(t‖p)", y: c.kl },
      { name: `target entropy H(t) = ${fmt(h)}`, y: [h, h], x: [0, steps], dash: true, color: "#000000" },
    ],
    {
      title: "Training on soft targets: CE = KL + H(t)",
      xLabel: "step (Adam, lr 0.05)",
      yLabel: "loss (nats)",
      width: 720,
    },
  );
  const blendChart = viz.lineChart(
    [
      { name: `α·MSE(p, t), α = ${alpha}`, y: b.mse },
      { name: `β·KL(t‖p), β = ${beta}`, y: b.kl },
    ],
    {
      title: "The terms of a blended cost α·MSE + β·KL",
      xLabel: "step (Adam, lr 0.05)",
      yLabel: "weighted term (log scale)",
      logY: true,
      width: 720,
    },
  );
  const last = (v: number[]) => v[v.length - 1];
  return {
    numbers: {
      kl_minus_ce: id.gap,
      minus_target_entropy: -id.entropy,
      identity_error: Math.abs(id.gap + id.entropy),
      max_grad_difference: id.gradDiff,
      train_final_ce: last(c.ce),
      train_final_kl: last(c.kl),
      train_target_entropy: h,
      train_max_ce_minus_kl_minus_h: Math.max(...c.ce.map((v, i) => Math.abs(v - c.kl[i] - h))),
      blend_initial_mse: b.mse[0],
      blend_initial_kl: b.kl[0],
      blend_initial_kl_over_mse: b.kl[0] / b.mse[0],
      blend_final_mse: last(b.mse),
      blend_final_kl: last(b.kl),
    },
    figures: [
      writeFigure(opts, "kl-vs-ce-training.svg", ceChart),
      writeFigure(opts, "blended-cost-terms.svg", blendChart),
    ],
  };
}

export const experiment: Experiment = { claim, run };
export { run };
mainBlock(import.meta.url, experiment);
