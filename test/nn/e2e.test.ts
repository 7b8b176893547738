// End to end with modules: XOR learned by a 2-layer MLP but not by a linear model; a deep stack of
// Linear layers without nonlinearities collapses to one affine map; and PyTorch's XOR training run
// (training.json, SGD cases) reproduced step by step with Sequential, loadStateDict and loss modules.
import { describe, expect, it } from "vitest";
import * as cr from "../../src/index.js";
import { expectClose, loadCases, TOL, toTensor } from "../golden/load.js";
import { maxDiff } from "./helpers.js";

const nn = cr.nn;
type Tensor = cr.Tensor;

const X = cr.tensor([
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
]);
const Y = cr.tensor([[0], [1], [1], [0]]);

/** Full-batch plain SGD written out: p ← p - lr·∇p under noGrad. Returns the last loss. */
function trainSgd(model: cr.nn.Module, loss: cr.nn.Module, steps: number, lr: number): number {
  let last = NaN;
  for (let step = 0; step < steps; step++) {
    model.zeroGrad();
    const l = loss.forward(model.forward(X), Y);
    l.backward();
    cr.noGrad(() => {
      for (const p of model.parameters()) p.sub_(p.grad!.mul(lr));
    });
    last = l.item();
  }
  return last;
}

/** Fraction of XOR points whose logit has the right sign. */
function accuracy(model: cr.nn.Module): number {
  const logits = cr.noGrad(() => model.forward(X)).toTypedArray();
  const y = Y.toTypedArray();
  return Array.from(logits).filter((z, i) => (z > 0 ? 1 : 0) === y[i]).length / 4;
}

describe("XOR", () => {
  it("a 2-layer MLP with tanh learns it to 100% accuracy", () => {
    cr.manualSeed(0);
    const mlp = new nn.Sequential(new nn.Linear(2, 8), new nn.Tanh(), new nn.Linear(8, 1));
    const loss = trainSgd(mlp, new nn.BCEWithLogitsLoss(), 2000, 0.5);
    expect(accuracy(mlp)).toBe(1);
    expect(loss).toBeLessThan(0.05);
  });

  it("so does one with ReLU", () => {
    cr.manualSeed(1);
    const mlp = new nn.Sequential(new nn.Linear(2, 8), new nn.ReLU(), new nn.Linear(8, 1));
    trainSgd(mlp, new nn.BCEWithLogitsLoss(), 2000, 0.3);
    expect(accuracy(mlp)).toBe(1);
  });

  it("a purely linear model cannot exceed 75%, from any of several seeds", () => {
    for (const seed of [0, 1, 2, 3, 4]) {
      cr.manualSeed(seed);
      const linear = new nn.Linear(2, 1);
      const loss = trainSgd(linear, new nn.BCEWithLogitsLoss(), 2000, 0.5);
      expect(accuracy(linear)).toBeLessThanOrEqual(0.75);
      // the best it can do is predict 1/2 everywhere: loss ln 2
      expect(loss).toBeGreaterThan(Math.log(2) - 1e-3);
    }
  });

  it("neither can a deep stack of Linear layers without nonlinearities", () => {
    cr.manualSeed(5);
    const deep = new nn.Sequential(new nn.Linear(2, 8), new nn.Linear(8, 8), new nn.Linear(8, 1));
    trainSgd(deep, new nn.BCEWithLogitsLoss(), 2000, 0.1);
    expect(accuracy(deep)).toBeLessThanOrEqual(0.75);
  });
});

describe("depth without nonlinearity", () => {
  it("a stack of Linear layers is one affine map: W = W₅⋯W₁, b = composed biases", () => {
    cr.manualSeed(9);
    const sizes = [6, 10, 7, 9, 5, 3];
    const layers = sizes.slice(1).map((n, i) => new nn.Linear(sizes[i], n, { dtype: "float64" }));
    const deep = new nn.Sequential(...layers);
    let W: Tensor = cr.eye(6, 6, { dtype: "float64" });
    let b: Tensor = cr.zeros([6], { dtype: "float64" });
    cr.noGrad(() => {
      for (const l of layers) {
        W = l.weight.matmul(W);
        b = l.weight.matmul(b).add(l.bias!);
      }
    });
    expect(W.shape).toEqual([3, 6]);
    const single = new nn.Linear(6, 3, { dtype: "float64" });
    single.loadStateDict({ weight: W, bias: b });
    const x = cr.randn([20, 6], { dtype: "float64" });
    const [yDeep, ySingle] = cr.noGrad(() => [deep.forward(x), single.forward(x)]);
    expect(maxDiff(yDeep, ySingle)).toBeLessThan(1e-12);
    expect(deep.numParameters()).toBeGreaterThan(single.numParameters());
  });
});

describe("PyTorch's XOR training run (training.json, SGD) with modules", () => {
  const cases = loadCases("training").filter((c) => c.attrs.optimizer === "sgd");
  it("has the SGD cases", () => expect(cases.length).toBe(2));
  for (const precision of ["float64", "float32"] as const)
    for (const c of cases)
      it(`${c.id} in ${precision}`, () => {
        const inp = Object.fromEntries(c.inputs.map((t) => [t.name!, toTensor(t, precision)]));
        const model = new nn.Sequential(
          new nn.Linear(2, 4, { dtype: precision }),
          new nn.Tanh(),
          new nn.Linear(4, 1, { dtype: precision }),
          new nn.Sigmoid(),
        );
        model.loadStateDict({
          "0.weight": inp.weight1,
          "0.bias": inp.bias1,
          "2.weight": inp.weight2,
          "2.bias": inp.bias2,
        });
        const loss = c.attrs.loss === "mse_loss" ? new nn.MSELoss() : new nn.BCELoss();
        const lr: number = c.attrs.optimizer_attrs.lr;
        const curve: number[] = [];
        for (let step = 0; step <= c.attrs.steps; step++) {
          model.zeroGrad();
          const l = loss.forward(model.forward(inp.x), inp.y);
          curve.push(l.item());
          if (step === c.attrs.steps) break;
          l.backward();
          cr.noGrad(() => {
            for (const p of model.parameters()) p.sub_(p.grad!.mul(lr));
          });
        }
        const tol = TOL[precision].training;
        const curveT = cr.tensor(Float64Array.from(curve));
        expectClose(curveT, c.extra_outputs!.loss_curve, tol, "loss curve");
        const sd = model.stateDict();
        expectClose(sd["0.weight"], c.extra_outputs!.final_weight1, tol, "final weight1");
        expectClose(sd["0.bias"], c.extra_outputs!.final_bias1, tol, "final bias1");
        expectClose(sd["2.weight"], c.extra_outputs!.final_weight2, tol, "final weight2");
        expectClose(sd["2.bias"], c.extra_outputs!.final_bias2, tol, "final bias2");
      });
});
