// W3 exactly as bench/engines/chainrule.ts times it: XOR 2-8-1 (tanh, sigmoid), MSELoss, SGD lr 0.5, on the
// default backend (native when built; its binding sends these tiny tensors to the cpu kernels).
// Run: npx tsx bench/overhead/xor-mse.ts [backend]
import * as cr from "../../src/index.js";
import { fmt, time } from "./timing.js";

const { nn, optim } = cr;
if (process.argv[2]) cr.setBackend(process.argv[2]);
cr.manualSeed(0);
const x = cr.tensor([[0, 0], [0, 1], [1, 0], [1, 1]]); // prettier-ignore
const y = cr.tensor([[0], [1], [1], [0]]); // prettier-ignore
const model = new nn.Sequential(new nn.Linear(2, 8), new nn.Tanh(), new nn.Linear(8, 1), new nn.Sigmoid());
const lossFn = new nn.MSELoss();
const opt = new optim.SGD(model.parameters(), { lr: 0.5 });
const step = () => {
  opt.zeroGrad();
  lossFn.forward(model.forward(x), y).backward();
  opt.step();
};
const t = time(step, { warmup: 20000, runs: 61, inner: 300 });
console.log(`xor 2-8-1 step, MSE, SGD, ${cr.getBackend()} backend: ${fmt(t)}`);
