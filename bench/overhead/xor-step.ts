// W3: one XOR 2-8-1 training step (zeroGrad, forward, BCE loss, backward, SGD step) on the cpu backend.
// Run: npx tsx bench/overhead/xor-step.ts
import * as cr from "../../src/index.js";
import { fmt, time } from "./timing.js";

const { nn, optim } = cr;
cr.setBackend("cpu");
cr.manualSeed(0);
const x = cr.tensor([[0, 0], [0, 1], [1, 0], [1, 1]]); // prettier-ignore
const y = cr.tensor([[0], [1], [1], [0]]); // prettier-ignore
const model = new nn.Sequential(new nn.Linear(2, 8), new nn.Tanh(), new nn.Linear(8, 1), new nn.Sigmoid());
const lossFn = new nn.BCELoss();

function bench(name: string, opt: cr.optim.Optimizer): void {
  const step = () => {
    opt.zeroGrad();
    const loss = lossFn.forward(model.forward(x), y);
    loss.backward();
    opt.step();
  };
  const t = time(step, { warmup: 3000, runs: 101, inner: 100 });
  console.log(`xor 2-8-1 step, ${name}: ${fmt(t)}`);
}

bench("SGD", new optim.SGD(model.parameters(), { lr: 0.5 }));
bench("Adam", new optim.Adam(model.parameters(), { lr: 0.05 }));
const loss = lossFn.forward(model.forward(x), y).item();
console.log(`final loss ${loss.toFixed(4)}`);
