// XOR, the lecture's example: no linear model separates it, a 2-layer MLP learns it.
// Run: npx tsx examples/xor.ts
import * as cr from "../src/index.js";

const { nn, optim } = cr;

cr.manualSeed(1);
const x = cr.tensor([[0, 0], [0, 1], [1, 0], [1, 1]]); // prettier-ignore
const y = cr.tensor([[0], [1], [1], [0]]); // prettier-ignore

function train(model: cr.nn.Module, steps = 500): number {
  const opt = new optim.Adam(model.parameters(), { lr: 0.05 });
  const lossFn = new nn.BCEWithLogitsLoss();
  for (let step = 0; step < steps; step++) {
    opt.zeroGrad();
    const loss = lossFn.forward(model.forward(x), y);
    loss.backward();
    opt.step();
  }
  const pred = cr
    .noGrad(() => model.forward(x))
    .gt(0)
    .to("float32");
  return pred.eq(y).to("float32").mean().item();
}

const linear = new nn.Linear(2, 1);
const mlp = new nn.Sequential(new nn.Linear(2, 8), new nn.Tanh(), new nn.Linear(8, 1));
console.log(`linear model accuracy: ${(train(linear) * 100).toFixed(0)}% (a line cannot separate XOR)`);
console.log(`2-8-1 MLP accuracy:    ${(train(mlp) * 100).toFixed(0)}%`);
console.log(mlp.summary([4, 2]));
