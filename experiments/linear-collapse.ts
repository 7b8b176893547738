// Removing the nonlinearities collapses a deep network to one linear map: the product of its weight
// matrices reproduces its outputs, and it fails on XOR and circles exactly like a single linear layer,
// while the same stack with ReLUs fits both. Run: npx tsx experiments/linear-collapse.ts
import * as cr from "../src/index.js";
import {
  binaryAccuracy,
  mainBlock,
  trainBinary,
  writeFigure,
  type Experiment,
  type RunOptions,
} from "./lib/common.js";
import { xorClusters } from "./xor.js";

const { nn, viz } = cr;

export const claim =
  "Without nonlinearities, a deep network is one linear map W = W₄W₃W₂W₁ and has a single layer's capacity.";

/** Four Linear layers 2 → 16 → 16 → 16 → 1, with ReLUs between them or with nothing between them. */
function deepNet(relu: boolean, seed: number): cr.nn.Sequential {
  cr.manualSeed(seed);
  const widths = [2, 16, 16, 16, 1];
  const layers: cr.nn.Module[] = [];
  for (let i = 0; i + 1 < widths.length; i++) {
    layers.push(new nn.Linear(widths[i], widths[i + 1]));
    if (relu && i + 2 < widths.length) layers.push(new nn.ReLU());
  }
  return new nn.Sequential(...layers);
}

/** The one affine map (W, b) that a stack of Linear layers computes: W = Wₖ⋯W₁, b = Wₖ(⋯(W₂b₁ + b₂)⋯) + bₖ. */
export function collapse(net: cr.nn.Sequential): { weight: cr.Tensor; bias: cr.Tensor } {
  return cr.noGrad(() => {
    const linears = net.children().filter((m): m is cr.nn.Linear => m instanceof nn.Linear);
    let weight = linears[0].weight as cr.Tensor;
    let bias = linears[0].bias as cr.Tensor;
    for (const l of linears.slice(1)) {
      weight = l.weight.matmul(weight);
      bias = l.weight.matmul(bias).add(l.bias as cr.Tensor);
    }
    return { weight, bias };
  });
}

interface Fits {
  single: number;
  deepLinear: number;
  deepRelu: number;
}

function fitAll(
  x: cr.Tensor,
  y: cr.Tensor,
  steps: number,
): Fits & { linearNet: cr.nn.Sequential; reluNet: cr.nn.Sequential } {
  cr.manualSeed(0);
  const single = new nn.Linear(2, 1);
  const linearNet = deepNet(false, 0);
  const reluNet = deepNet(true, 0);
  const acc = (m: cr.nn.Module) => {
    trainBinary(m, x, y, { steps, lr: 0.02 });
    return binaryAccuracy((v) => m.forward(v), x, y);
  };
  return { single: acc(single), deepLinear: acc(linearNet), deepRelu: acc(reluNet), linearNet, reluNet };
}

async function run(opts: RunOptions) {
  const steps = opts.fast ? 150 : 400;
  const xor = xorClusters(200, 7);
  const circles = cr.data.circles(200, { factor: 0.5, noise: 0.06, seed: 3 });
  const onXor = fitAll(xor.x, xor.y, steps);
  const onCircles = fitAll(circles.x, circles.y, steps);

  // the trained 4-layer linear net against its collapsed single map, on fresh inputs
  const probe = cr.randn([500, 2]);
  const { weight, bias } = collapse(onCircles.linearNet);
  const deep = cr.noGrad(() => onCircles.linearNet.forward(probe));
  const single = cr.noGrad(() => probe.matmul(weight.T).add(bias));
  const diff = deep.sub(single).abs().max().item();
  const scale = deep.abs().max().item();

  const figures = [
    writeFigure(
      opts,
      "linear-collapse-circles-linear.svg",
      viz.decisionBoundary((v) => onCircles.linearNet.forward(v), circles.x, circles.y, {
        title: `4 Linear layers, no nonlinearity: accuracy ${onCircles.deepLinear.toFixed(2)}`,
        xLabel: "x₁",
        yLabel: "x₂",
        classNames: ["outer ring", "inner ring"],
      }),
    ),
    writeFigure(
      opts,
      "linear-collapse-circles-relu.svg",
      viz.decisionBoundary((v) => onCircles.reluNet.forward(v), circles.x, circles.y, {
        title: `The same 4 layers with ReLUs: accuracy ${onCircles.deepRelu.toFixed(2)}`,
        xLabel: "x₁",
        yLabel: "x₂",
        classNames: ["outer ring", "inner ring"],
      }),
    ),
  ];
  return {
    numbers: {
      collapse_max_abs_diff: diff,
      collapse_rel_diff: diff / scale,
      xor_single_layer_accuracy: onXor.single,
      xor_deep_linear_accuracy: onXor.deepLinear,
      xor_deep_relu_accuracy: onXor.deepRelu,
      circles_single_layer_accuracy: onCircles.single,
      circles_deep_linear_accuracy: onCircles.deepLinear,
      circles_deep_relu_accuracy: onCircles.deepRelu,
    },
    figures,
  };
}

export const experiment: Experiment = { claim, run };
export { run };
mainBlock(import.meta.url, experiment);
