// Writes the example figures of docs/figures/ (graphs, backprop trace, plots) with chainrule's viz module.
// Run: npx tsx scripts/viz-figures.ts   (seeded: the same figures every run)
import { mkdirSync, writeFileSync } from "node:fs";
import * as cr from "../src/index.js";

const { viz, nn } = cr;
const F = nn.functional;
const out = new URL("../docs/figures/", import.meta.url);
mkdirSync(out, { recursive: true });
const save = (name: string, text: string) => {
  writeFileSync(new URL(name, out), text);
  console.log(`wrote docs/figures/${name}`);
};

/** A neuron o = tanh(x1·w1 + x2·w2 + b), the classic hand-backprop example. */
async function neuron(): Promise<void> {
  const v = (x: number) => cr.tensor(x, { dtype: "float64", requiresGrad: true });
  const [x1, x2, w1, w2, b] = [v(2), v(0), v(-3), v(1), v(6.881373587019543)];
  const o = x1.mul(w1).add(x2.mul(w2)).add(b).tanh();
  const names = { x1, x2, w1, w2, b };
  const g = viz.captureGraph(o, { names, outputNames: ["o"] });
  save("neuron-forward.svg", await viz.renderSvg(g, { rankdir: "LR", title: "o = tanh(x1·w1 + x2·w2 + b)" }));
  save(
    "neuron-backward.svg",
    await viz.renderSvg(viz.backwardGraph(g), { rankdir: "RL", title: "its backward graph" }),
  );
  const trace = viz.traceBackward(o, { names });
  save("neuron-trace.txt", viz.traceToText(trace));
  save("neuron-trace.html", await viz.traceToHtml(trace, { title: "Backprop through one neuron" }));
}

/** A 2-layer MLP with its loss, modules as clusters. */
async function mlpGraph(): Promise<void> {
  cr.manualSeed(0);
  const net = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU(), new nn.Linear(3, 1));
  const x = cr.randn([4, 2]);
  const target = cr.randn([4, 1]);
  const g = viz.captureModule(net, x, { loss: (y) => F.mseLoss(y, target), names: { target } });
  save("mlp-forward.svg", await viz.renderSvg(g, { title: "Linear(2, 3) → ReLU → Linear(3, 1), MSE loss" }));
  save("mlp-backward.svg", await viz.renderSvg(viz.backwardGraph(g), { title: "the same, backward" }));
}

/** Trains a 2-16-16-2 MLP on two moons; loss curves and the decision boundary. */
function moons(): void {
  cr.manualSeed(1);
  const { x, y } = cr.data.moons(300, { noise: 0.15, seed: 2 });
  const net = new nn.Sequential(
    new nn.Linear(2, 16),
    new nn.Tanh(),
    new nn.Linear(16, 16),
    new nn.Tanh(),
    new nn.Linear(16, 2),
  );
  const opt = new cr.optim.Adam(net.parameters(), { lr: 0.02 });
  const loss: number[] = [];
  const acc: number[] = [];
  for (let epoch = 0; epoch < 300; epoch++) {
    opt.zeroGrad();
    const logits = net.forward(x);
    const l = F.crossEntropy(logits, y);
    l.backward();
    opt.step();
    loss.push(l.item());
    acc.push(cr.noGrad(() => logits.argmax(1).eq(y).float().mean().item()));
  }
  save(
    "moons-curves.svg",
    viz.lineChart(
      [
        { name: "cross-entropy", y: loss },
        { name: "1 − accuracy", y: acc.map((a) => 1 - a), dash: true },
      ],
      {
        title: "Training a 2-16-16-2 MLP on two moons",
        xLabel: "step (full batch, Adam)",
        yLabel: "value",
        logY: true,
      },
    ),
  );
  save(
    "moons-boundary.svg",
    viz.decisionBoundary((t) => net.forward(t).softmax(1), x, y, {
      title: `Decision boundary (train accuracy ${(acc.at(-1)! * 100).toFixed(1)} %)`,
      xLabel: "x₁",
      yLabel: "x₂",
    }),
  );
}

/** XOR through two tanh units: the hidden layer makes it linearly separable. */
function xorHidden(): void {
  cr.manualSeed(4);
  const n = 200;
  const corner = Array.from(cr.randint(0, 4, [n]).toTypedArray()); // bit 0: x₁ > 0, bit 1: x₂ > 0
  const centres = cr.tensor(corner.map((k) => [k & 1 ? 1 : -1, k & 2 ? 1 : -1]));
  const x = centres.add(cr.randn([n, 2]).mul(0.25));
  const y = cr.tensor(
    corner.map((k) => (k & 1) ^ (k >> 1)),
    { dtype: "int32" },
  );
  cr.manualSeed(1);
  const hidden = new nn.Sequential(new nn.Linear(2, 2), new nn.Tanh());
  const head = new nn.Linear(2, 2);
  const opt = new cr.optim.Adam([...hidden.parameters(), ...head.parameters()], { lr: 0.05 });
  for (let i = 0; i < 500; i++) {
    opt.zeroGrad();
    F.crossEntropy(head.forward(hidden.forward(x)), y).backward();
    opt.step();
  }
  const names = ["same sign", "opposite signs"];
  save(
    "xor-input.svg",
    viz.scatterPlot(x, {
      labels: y,
      classNames: names,
      title: "XOR: input space",
      xLabel: "x₁",
      yLabel: "x₂",
    }),
  );
  const h = cr.noGrad(() => hidden.forward(x));
  save(
    "xor-hidden.svg",
    viz.scatterPlot(h, {
      labels: y,
      classNames: names,
      title: "XOR: hidden space (2 tanh units)",
      xLabel: "h₁",
      yLabel: "h₂",
    }),
  );
}

await neuron();
await mlpGraph();
moons();
xorHidden();
save("activations.svg", viz.activationGallery());
