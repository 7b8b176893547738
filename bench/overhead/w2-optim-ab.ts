// W2 (MLP 784-512-256-10, ReLU, cross-entropy, batch 128) on the native backend with the optimizer
// update in the addon (sgdStep/adamStep) against the same steps with it in JavaScript (fused.ts's loops),
// alternating step by step in one process, so that both see the same load on a shared machine.
// Run: npx tsx bench/overhead/w2-optim-ab.ts [steps per side, default 200]
import * as cr from "../../src/index.js";
import { nativeBackend } from "../../src/backend/native/index.js";

if (nativeBackend === null) throw new Error("w2-optim-ab: the native addon is not built");
const native = nativeBackend;
const kernels = { sgdStep: native.sgdStep, adamStep: native.adamStep };
const steps = Number(process.argv[2] ?? 200);
const { nn, optim } = cr;
cr.setBackend("native");

function use(on: boolean): void {
  native.sgdStep = on ? kernels.sgdStep : undefined;
  native.adamStep = on ? kernels.adamStep : undefined;
}

const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

function bench(name: string, threads: number, makeOpt: (ps: cr.Tensor[]) => cr.optim.Optimizer): void {
  cr.setNumThreads(threads);
  cr.manualSeed(0);
  const model = new nn.Sequential(
    new nn.Linear(784, 512),
    new nn.ReLU(),
    new nn.Linear(512, 256),
    new nn.ReLU(),
    new nn.Linear(256, 10),
  );
  const opt = makeOpt(model.parameters());
  const x = cr.rand([128, 784]);
  const y = cr.randint(0, 10, [128]);
  const lossFn = new nn.CrossEntropyLoss();
  const step = () => {
    opt.zeroGrad();
    lossFn.forward(model.forward(x), y).backward();
    opt.step();
  };
  const wall = { js: [] as number[], native: [] as number[] };
  const cpu = { js: [] as number[], native: [] as number[] };
  for (let i = 0; i < 2 * (steps + 10); i++) {
    const side = i % 2 === 0 ? "js" : "native";
    use(side === "native");
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    step();
    const t = Number(process.hrtime.bigint() - t0) / 1e6;
    const c = process.cpuUsage(c0);
    if (i >= 20) {
      wall[side].push(t);
      cpu[side].push((c.user + c.system) / 1e3);
    }
  }
  use(true);
  const sps = (ms: number) => Math.round(128e3 / ms).toLocaleString("en");
  const f = (side: "js" | "native") =>
    `${med(wall[side]).toFixed(2)} ms wall (${sps(med(wall[side]))} samples/s), ${med(cpu[side]).toFixed(2)} ms cpu`;
  console.log(`W2 ${name} ${threads}t: optimizer in JS ${f("js")} | in the addon ${f("native")}`);
}

for (const threads of [1, 2]) {
  bench("SGD-momentum", threads, (ps) => new optim.SGD(ps, { lr: 0.01, momentum: 0.9 }));
  bench("Adam", threads, (ps) => new optim.Adam(ps, { lr: 1e-3 }));
}
