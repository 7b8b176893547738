// The cpu backend's matmul: GFLOP/s for square f32/f64 products and the MLP's layer shapes
// (x·Wᵀ forward, and the two backward products). Run: npx tsx bench/overhead/matmul.ts
import * as cr from "../../src/index.js";
import { time } from "./timing.js";

cr.setBackend("cpu");
cr.manualSeed(0);
const noGrad = cr.noGrad;

function report(name: string, flops: number, fn: () => void, runs = 11): void {
  const t = time(fn, { warmup: 2, runs, inner: 1 });
  const gf = (us: number) => (flops / us / 1e3).toFixed(2);
  console.log(
    `${name}: ${gf(t.median)} GFLOP/s (${(t.median / 1e3).toFixed(2)} ms, p90..p10 ${gf(t.p90)}..${gf(t.p10)})`,
  );
}

for (const dtype of ["float32", "float64"] as const)
  for (const n of [64, 128, 256, 512]) {
    const a = cr.randn([n, n], { dtype });
    const b = cr.randn([n, n], { dtype });
    report(`${dtype} ${n}x${n}x${n}`, 2 * n * n * n, () => noGrad(() => a.matmul(b)), n >= 512 ? 5 : 11);
  }

// The MLP's products at batch 128: forward x·Wᵀ, backward g·W and gᵀ·x.
for (const [inF, outF] of [
  [784, 512],
  [512, 256],
]) {
  const x = cr.randn([128, inF]);
  const w = cr.randn([outF, inF]);
  const g = cr.randn([128, outF]);
  const f = 2 * 128 * inF * outF;
  report(`fwd  x[128,${inF}]·Wᵀ[${inF},${outF}]`, f, () => noGrad(() => x.matmul(w.T)));
  report(`bwdx g[128,${outF}]·W[${outF},${inF}]`, f, () => noGrad(() => g.matmul(w)));
  report(`bwdW gᵀ[${outF},128]·x[128,${inF}]`, f, () => noGrad(() => g.T.matmul(x)));
}
