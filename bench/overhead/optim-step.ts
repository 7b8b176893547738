// One fused optimizer update of a single float32 parameter: the JavaScript loops of src/optim/fused.ts
// (cpu backend) against the native kernels (csrc/optim.cc) on 1 and 2 threads, rounds interleaved.
// Run: npx tsx bench/overhead/optim-step.ts [sizes, comma-separated; default 401408 = 784·512]
import * as cr from "../../src/index.js";
import { nativeLimits } from "../../src/backend/native/index.js";
import { time } from "./timing.js";

const sizes = (process.argv[2] ?? "401408").split(",").map(Number);
const { SGD, Adam, AdamW } = cr.optim;
const configs: [string, (p: cr.Tensor) => cr.optim.Optimizer][] = [
  ["SGD momentum 0.9", (p) => new SGD([p], { lr: 0.01, momentum: 0.9 })],
  ["SGD nesterov + wd", (p) => new SGD([p], { lr: 0.01, momentum: 0.9, nesterov: true, weightDecay: 1e-4 })],
  ["Adam", (p) => new Adam([p], { lr: 1e-3 })],
  ["AdamW amsgrad", (p) => new AdamW([p], { lr: 1e-3, amsgrad: true })],
];
const engines = ["js", "native 1t", "native 2t"] as const;
nativeLimits.minElements = 0;

for (const n of sizes)
  for (const [name, make] of configs) {
    const p = cr.randn([n]).requiresGrad_();
    p.grad = cr.randn([n]);
    const opt = make(p);
    opt.step();
    const inner = Math.max(1, Math.min(200, Math.round(2e5 / n)));
    const runs: Record<string, number[]> = {};
    for (let round = 0; round < 7; round++)
      for (const e of engines) {
        cr.setBackend(e === "js" ? "cpu" : "native");
        cr.setNumThreads(e === "native 2t" ? 2 : 1);
        (runs[e] ??= []).push(time(() => opt.step(), { warmup: 3 * inner, runs: 5, inner }).median);
      }
    const med = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1];
    const cells = engines.map((e) => `${e} ${med(runs[e]).toFixed(n < 1e4 ? 2 : 0)} µs`);
    console.log(`n=${n} ${name}: ${cells.join(", ")}`);
  }
