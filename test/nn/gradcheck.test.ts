// Every layer module gradient-checked in float64 against central differences, with respect to its
// inputs and each of its parameters (test/nn/helpers.ts swaps the parameters for gradcheck's copies).
import { describe, expect, it } from "vitest";
import * as cr from "../../src/index.js";
import { checkModule, f64, i32, randn64 } from "./helpers.js";

const nn = cr.nn;
type Module = cr.nn.Module;

/** Uniform in (lo, hi), float64. */
const uniform = (shape: number[], lo: number, hi: number) =>
  cr
    .rand(shape, { dtype: "float64" })
    .mul(hi - lo)
    .add(lo);

describe("layers", () => {
  cr.manualSeed(2024);
  const cases: [string, () => Module, () => cr.Tensor[]][] = [
    ["Linear", () => new nn.Linear(4, 3), () => [randn64([2, 4])]],
    [
      "Linear without bias, 3-D input",
      () => new nn.Linear(3, 2, { bias: false }),
      () => [randn64([2, 2, 3])],
    ],
    ["LayerNorm", () => new nn.LayerNorm([2, 3]), () => [randn64([2, 2, 3])]],
    ["BatchNorm1d (training)", () => new nn.BatchNorm1d(3), () => [randn64([4, 3])]],
    ["BatchNorm1d [N, C, L] (training)", () => new nn.BatchNorm1d(2), () => [randn64([3, 2, 2])]],
    ["BatchNorm1d (eval)", () => new nn.BatchNorm1d(3).eval(), () => [randn64([4, 3])]],
    ["BatchNorm2d", () => new nn.BatchNorm2d(2), () => [randn64([2, 2, 2, 2])]],
    ["PReLU (shared)", () => new nn.PReLU(), () => [randn64([3, 4])]],
    ["PReLU (per channel)", () => new nn.PReLU({ numParameters: 3 }), () => [randn64([2, 3, 2])]],
    ["ReLU", () => new nn.ReLU(), () => [randn64([3, 4])]],
    ["LeakyReLU", () => new nn.LeakyReLU({ negativeSlope: 0.1 }), () => [randn64([3, 4])]],
    ["ELU", () => new nn.ELU({ alpha: 0.7 }), () => [randn64([3, 4])]],
    ["GELU", () => new nn.GELU(), () => [randn64([3, 4])]],
    ["GELU tanh", () => new nn.GELU({ approximate: "tanh" }), () => [randn64([3, 4])]],
    ["Sigmoid", () => new nn.Sigmoid(), () => [randn64([3, 4])]],
    ["Tanh", () => new nn.Tanh(), () => [randn64([3, 4])]],
    ["SiLU", () => new nn.SiLU(), () => [randn64([3, 4])]],
    ["Mish", () => new nn.Mish(), () => [randn64([3, 4])]],
    ["LogSigmoid", () => new nn.LogSigmoid(), () => [randn64([3, 4])]],
    ["Softplus", () => new nn.Softplus({ beta: 2 }), () => [randn64([3, 4])]],
    ["Hardtanh", () => new nn.Hardtanh({ minVal: -0.5, maxVal: 0.5 }), () => [randn64([3, 4])]],
    ["Softmax", () => new nn.Softmax(1), () => [randn64([3, 4])]],
    ["LogSoftmax", () => new nn.LogSoftmax(0), () => [randn64([3, 4])]],
    ["Identity", () => new nn.Identity(), () => [randn64([3])]],
    ["Flatten", () => new nn.Flatten(), () => [randn64([2, 2, 3])]],
    ["Lambda(exp)", () => new nn.Lambda(cr.exp), () => [randn64([3, 2])]],
    [
      "Sequential MLP",
      () => new nn.Sequential(new nn.Linear(3, 4), new nn.Tanh(), new nn.Linear(4, 2), new nn.LogSoftmax(1)),
      () => [randn64([2, 3])],
    ],
  ];
  for (const [name, make, inputs] of cases)
    it(name, () => {
      checkModule(make(), inputs());
    });

  it("Dropout (training, fixed mask from the seed)", () => {
    const drop = new nn.Dropout({ p: 0.4 });
    checkModule(drop, [randn64([4, 5])], (m, [x]) => {
      cr.manualSeed(11);
      return m.forward(x);
    });
  });

  it("Embedding (with respect to the weight; indices are constants)", () => {
    const idx = i32([0, 3, 3, 1, 4, 0], [2, 3]);
    expect(checkModule(new nn.Embedding(5, 2), [], (m) => m.forward(idx))).toBe(12 * 10);
  });
});

describe("losses", () => {
  cr.manualSeed(7);
  const probs = () => [uniform([3, 2], 0.1, 0.9), uniform([3, 2], 0, 1)];
  const pair = () => [randn64([3, 2]), randn64([3, 2])];
  const cases: [string, () => Module, () => cr.Tensor[]][] = [
    ["MSELoss", () => new nn.MSELoss(), pair],
    ["L1Loss", () => new nn.L1Loss({ reduction: "sum" }), pair],
    ["SmoothL1Loss", () => new nn.SmoothL1Loss({ beta: 0.8 }), pair],
    ["HuberLoss", () => new nn.HuberLoss({ delta: 0.7, reduction: "none" }), pair],
    ["BCELoss", () => new nn.BCELoss({ weight: f64([0.5, 2]) }), probs],
    ["BCEWithLogitsLoss", () => new nn.BCEWithLogitsLoss({ posWeight: f64([3, 0.5]) }), pair],
    [
      "KLDivLoss",
      () => new nn.KLDivLoss({ reduction: "batchmean" }),
      () => [randn64([3, 4]).logSoftmax(1), uniform([3, 4], 0.1, 1)],
    ],
    [
      "BlendedLoss",
      () =>
        new nn.BlendedLoss({
          mse: { loss: new nn.MSELoss(), weight: 0.6 },
          l1: { loss: (a, b) => cr.nn.functional.smoothL1Loss(a, b), weight: 0.4 },
        }),
      pair,
    ],
  ];
  for (const [name, make, inputs] of cases)
    it(name, () => {
      checkModule(make(), inputs());
    });

  it("CrossEntropyLoss and NLLLoss (class targets are constants)", () => {
    const labels = i32([2, 0, 1]);
    const ce = new nn.CrossEntropyLoss({ weight: f64([1, 2, 0.5]), labelSmoothing: 0.1 });
    checkModule(ce, [randn64([3, 3])], (m, [x]) => m.forward(x, labels));
    const nll = new nn.NLLLoss({ ignoreIndex: 1 });
    checkModule(nll, [randn64([3, 3]).logSoftmax(1)], (m, [x]) => m.forward(x, labels));
  });
});
