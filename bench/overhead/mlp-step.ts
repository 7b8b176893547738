// W2 on the cpu backend: MLP 784-512-256-10 (ReLU, cross-entropy) training at batch 128, samples/s,
// with SGD-momentum and with Adam. Run: npx tsx bench/overhead/mlp-step.ts
import * as cr from "../../src/index.js";
import { time } from "./timing.js";

const { nn, optim } = cr;
const batch = 128;
cr.setBackend("cpu");

function bench(name: string, makeOpt: (ps: cr.Tensor[]) => cr.optim.Optimizer): void {
  cr.manualSeed(0);
  const model = new nn.Sequential(
    new nn.Linear(784, 512),
    new nn.ReLU(),
    new nn.Linear(512, 256),
    new nn.ReLU(),
    new nn.Linear(256, 10),
  );
  const opt = makeOpt(model.parameters());
  const x = cr.rand([batch, 784]);
  const y = cr.randint(0, 10, [batch]);
  const lossFn = new nn.CrossEntropyLoss();
  const step = () => {
    opt.zeroGrad();
    lossFn.forward(model.forward(x), y).backward();
    opt.step();
  };
  const t = time(step, { warmup: 5, runs: 21, inner: 1 });
  const sps = (us: number) => ((batch * 1e6) / us).toFixed(0);
  console.log(
    `mlp 784-512-256-10 b${batch}, ${name}: ${sps(t.median)} samples/s ` +
      `(${(t.median / 1e3).toFixed(1)} ms/step wall, p10 ${sps(t.p90)}, p90 ${sps(t.p10)}; ` +
      `${sps(t.cpu)} samples/s by cpu time)`,
  );
}

bench("SGD-momentum", (ps) => new optim.SGD(ps, { lr: 0.01, momentum: 0.9 }));
bench("Adam", (ps) => new optim.Adam(ps, { lr: 1e-3 }));
