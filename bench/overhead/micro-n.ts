// Pieces of W3's step run N times (argv[3]) for instruction counting with count-instructions.sh.
// Run: node micro.mjs <case> <N>
import * as cr from "../../src/index.js";
import { backend } from "../../src/backend/backend.js";
import { cpuBackend } from "../../src/backend/cpu/index.js";
import { empty } from "../../src/ops/support.js";
import { allocateOutput } from "../../src/tensor/dtype.js";
import { Storage } from "../../src/tensor/storage.js";
import { Tensor } from "../../src/tensor/tensor.js";
const { nn, optim } = cr;
cr.manualSeed(0);
const x = cr.tensor([[0, 0], [0, 1], [1, 0], [1, 1]]); // prettier-ignore
const y = cr.tensor([[0], [1], [1], [0]]); // prettier-ignore
const model = new nn.Sequential(new nn.Linear(2, 8), new nn.Tanh(), new nn.Linear(8, 1), new nn.Sigmoid());
const lossFn = new nn.MSELoss();
const mods = model.children() as cr.nn.Linear[];
const opt = new optim.SGD(model.parameters(), { lr: 0.5 });
const a = cr.randn([4, 8]);
const b = cr.randn([4, 8]);
const ag = cr.randn([4, 8]).requiresGrad_();
const out = new Float32Array(32);
const a5 = cr.randn([64, 8]);
const b5 = cr.randn([64, 8]);
const out5 = new Float32Array(512);
// The step's five products, as the cpu backend gets them (views of the step's own tensors' layouts).
const v = (shape: number[], strides: number[]) => ({ shape, strides, offset: 0 });
const [f4x2, f2x8, f8, f4x8, f8x1, f4x1, f1x8] = [8, 16, 8, 32, 8, 4, 8].map((n) => new Float32Array(n));
const [o32, o4, o8, o16] = [32, 4, 8, 16].map((n) => new Float32Array(n));
const cases: Record<string, () => unknown> = {
  step: () => {
    opt.zeroGrad();
    lossFn.forward(model.forward(x), y).backward();
    opt.step();
  },
  fwd: () => model.forward(x),
  fwdops: () => {
    const [l1, , l2] = mods;
    return cr.nn.functional
      .linear(cr.nn.functional.linear(x, l1.weight, l1.bias).tanh(), l2.weight, l2.bias)
      .sigmoid();
  },
  children: () => model.children(),
  fwdloss: () => lossFn.forward(model.forward(x), y),
  fwdback: () => {
    opt.zeroGrad();
    lossFn.forward(model.forward(x), y).backward();
  },
  nogradstep: () => cr.noGrad(() => lossFn.forward(model.forward(x), y)),
  mul: () => cr.mul(a, b),
  mulg: () => cr.mul(ag, b),
  tanh: () => cr.tanh(a),
  empty: () => empty([4, 8], "float32"),
  kbinary: () => backend().binary("mul", a.data, a, b.data, b, out),
  kunary: () => backend().unary("tanh", a.data, a, out),
  kneg: () => backend().unary("neg", a.data, a, out),
  noop: () => 0,
  allocOut: () => allocateOutput("float32", 32),
  storage: () => new Storage(out),
  tensorObj: () => new Tensor(a.storage, a.shape, a.strides, 0, "float32"),
  mm1: () => cpuBackend.matmul(f4x2, v([4, 2], [2, 1]), f2x8, v([2, 8], [1, 2]), o32, f8, 0),
  mm2: () => cpuBackend.matmul(f4x8, v([4, 8], [8, 1]), f8x1, v([8, 1], [1, 8]), o4, f8, 0),
  mm3: () => cpuBackend.matmul(f4x1, v([4, 1], [1, 1]), f1x8, v([1, 8], [8, 1]), o32),
  mm4: () => cpuBackend.matmul(f4x1, v([1, 4], [1, 1]), f4x8, v([4, 8], [8, 1]), o8),
  mm5: () => cpuBackend.matmul(f4x8, v([8, 4], [1, 8]), f4x2, v([4, 2], [2, 1]), o16),
  cbinary512: () => cpuBackend.binary("mul", a5.data, a5, b5.data, b5, out5),
  cneg512: () => cpuBackend.unary("neg", a5.data, a5, out5),
  cbinary: () => cpuBackend.binary("mul", a.data, a, b.data, b, out),
  cadd: () => cpuBackend.binary("add", a.data, a, b.data, b, out),
  cneg: () => cpuBackend.unary("neg", a.data, a, out),
};
let sink: unknown;
if (process.argv[3] === "time") {
  // node micro.mjs <case,case,...> time: best of 7 runs of 100k calls each, after 200k warm-up calls
  for (const name of process.argv[2].split(",")) {
    const fn = cases[name];
    for (let i = 0; i < 200000; i++) sink = fn();
    let best = Infinity;
    for (let r = 0; r < 7; r++) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < 100000; i++) sink = fn();
      best = Math.min(best, Number(process.hrtime.bigint() - t0) / 100000);
    }
    console.log(`${name.padEnd(12)} ${best.toFixed(1)} ns/call`);
  }
} else {
  const fn = cases[process.argv[2]];
  for (let i = 0, n = Number(process.argv[3]); i < n; i++) sink = fn();
  console.log(process.argv[2], cr.getBackend(), sink === undefined ? "" : "ok");
}
