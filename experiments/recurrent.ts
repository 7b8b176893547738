// A loopy (recurrent) network: h_t = tanh(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh) feeds its own past output
// back in. Unrolled through time it is an ordinary feedforward graph whose layers share weights, and
// backprop through that graph (BPTT) trains it: here to recall the input from two steps back, which no
// memoryless model can do. Run: npx tsx experiments/recurrent.ts
import * as cr from "../src/index.js";
import { fmt, mainBlock, writeFigure, type Experiment, type RunOptions } from "./lib/common.js";

const { nn, optim, viz } = cr;
const F = nn.functional;

export const claim =
  "A recurrent network unrolled through time is a feedforward graph with shared weights; BPTT trains it to remember.";

const DELAY = 2;

/** Sequences x ~ U(−1, 1) of shape [L, N, 1] and targets y_t = x_{t−2} (0 for t < 2). */
function recallTask(length: number, batch: number): { x: cr.Tensor; y: cr.Tensor } {
  const x = cr.rand([length, batch, 1]).mul(2).sub(1);
  const y = cr.cat([cr.zeros([DELAY, batch, 1]), x.slice(0, 0, length - DELAY)], 0);
  return { x, y };
}

class Recaller extends nn.Module {
  rnn: cr.nn.RNN;
  head: cr.nn.Linear;
  constructor(hidden: number) {
    super();
    this.rnn = new nn.RNN(1, hidden);
    this.head = new nn.Linear(hidden, 1);
  }
  forward(x: cr.Tensor): cr.Tensor {
    return this.head.forward(this.rnn.forward(x));
  }
}

/** MSE over the steps that have a target (t ≥ 2). */
const recallLoss = (pred: cr.Tensor, y: cr.Tensor): cr.Tensor =>
  F.mseLoss(pred.slice(0, DELAY), y.slice(0, DELAY));

/**
 * The first `steps` steps of the model's forward written out by hand, one tanh cell per step with the
 * same (named) weights each time, ending in the loss of the last step's recall. Returns the loss, the
 * tensors to name in the graph, and the largest difference from nn.RNN on the same inputs.
 */
function unrolled(model: Recaller, steps: number) {
  const seq = recallTask(steps, 1);
  // copies of the trained weights as parameters, transposed and with one bias, to keep the graph small
  const param = (t: cr.Tensor) => new nn.Parameter(cr.noGrad(() => t.clone()));
  const w = model.rnn.layerWeights(0);
  const names: Record<string, cr.Tensor> = {
    W_ihᵀ: param(w.weightIh.T),
    W_hhᵀ: param(w.weightHh.T),
    "b = b_ih + b_hh": param((w.biasIh as cr.Tensor).add(w.biasHh as cr.Tensor)),
    W_outᵀ: param(model.head.weight.T),
    b_out: param(model.head.bias as cr.Tensor),
    h0: cr.zeros([1, model.rnn.hiddenSize]),
  };
  let h = names.h0;
  const hs: cr.Tensor[] = [];
  for (let t = 0; t < steps; t++) {
    const xt = seq.x.select(0, t);
    names[`x${t + 1}`] = xt;
    h = xt.matmul(names["W_ihᵀ"]).add(h.matmul(names["W_hhᵀ"])).add(names["b = b_ih + b_hh"]).tanh();
    hs.push(h);
  }
  const pred = h.matmul(names["W_outᵀ"]).add(names.b_out);
  names[`target y${steps} = x${steps - DELAY}`] = seq.y.select(0, steps - 1);
  const loss = pred
    .sub(names[`target y${steps} = x${steps - DELAY}`])
    .square()
    .sum();
  const library = cr.noGrad(() => model.rnn.forward(seq.x)).reshape(steps, -1);
  const diff = cr.stack(hs).reshape(steps, -1).sub(library).abs().max().item();
  return { loss, names, diff };
}

async function run(opts: RunOptions) {
  cr.manualSeed(0);
  const train = recallTask(12, 64);
  const test = recallTask(12, 256);
  const model = new Recaller(16);
  // the graph is drawn at initialization, where the recall is still wrong and gradients are large
  const u = unrolled(model, 3);
  const graph = viz.captureGraph(u.loss, { names: u.names, outputNames: ["loss (x₁ recalled at t = 3)"] });
  const opt = new optim.Adam(model.parameters(), { lr: 0.01 });
  const steps = opts.fast ? 80 : 400;
  const curve: number[] = [];
  for (let s = 0; s <= steps; s++) {
    opt.zeroGrad();
    const loss = recallLoss(model.forward(train.x), train.y);
    curve.push(loss.item());
    if (s === steps) break;
    loss.backward(); // backprop through time: through the loop unrolled over 12 steps
    opt.step();
  }
  const testLoss = cr.noGrad(() => recallLoss(model.forward(test.x), test.y)).item();
  const memoryless = cr.noGrad(() => test.y.slice(0, DELAY).square().mean()).item(); // best guess without memory: 0

  const graphSvg = await viz.renderSvg(graph, {
    title: "An RNN unrolled for 3 steps: the same W_hh at every step",
    rankdir: "TB",
  });
  const chart = viz.lineChart(
    [
      { name: "training MSE (BPTT)", y: curve },
      {
        name: `memoryless baseline ${fmt(memoryless)}`,
        x: [0, steps],
        y: [memoryless, memoryless],
        dash: true,
        color: "#000000",
      },
    ],
    {
      title: `RNN(1→16) recalling the input of 2 steps ago: test MSE ${fmt(testLoss)}`,
      xLabel: "training step (Adam, lr 0.01)",
      yLabel: "mean squared error (log scale)",
      logY: true,
      width: 720,
    },
  );
  return {
    numbers: {
      initial_train_mse: curve[0],
      final_train_mse: curve[curve.length - 1],
      test_mse: testLoss,
      memoryless_baseline_mse: memoryless,
      unrolled_vs_nn_rnn_max_diff: u.diff,
      unrolled_graph_nodes: graph.nodes.length,
      unrolled_graph_tanh_nodes: graph.nodes.filter((n) => n.label === "tanh").length,
    },
    figures: [
      writeFigure(opts, "rnn-unrolled-graph.svg", graphSvg),
      writeFigure(opts, "rnn-training.svg", chart),
    ],
  };
}

export const experiment: Experiment = { claim, run };
export { run };
mainBlock(import.meta.url, experiment);
