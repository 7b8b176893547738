// W1 by kernel set: GFLOP/s of square f32 products on the native backend for each ISA the CPU has, on 1 and
// 2 threads (medians of 7). Run: npx tsx bench/overhead/w1-isa.ts [n...]
import * as cr from "../../src/index.js";
import { selectKernels, setNumThreads } from "../../src/backend/native/index.js";

cr.setBackend("native");
const sizes = process.argv.slice(2).map(Number);
for (const isa of (process.env.ISAS ?? "avx512,avx2").split(",")) {
  if (!selectKernels(isa)) continue;
  for (const threads of [1, 2]) {
    setNumThreads(threads);
    for (const n of sizes.length ? sizes : [512, 1024, 2048]) {
      const a = cr.randn([n, n]);
      const b = cr.randn([n, n]);
      const times: number[] = [];
      for (let r = 0; r < 9; r++) {
        const t0 = process.hrtime.bigint();
        cr.noGrad(() => a.matmul(b));
        times.push(Number(process.hrtime.bigint() - t0) / 1e3);
      }
      times.sort((x, y) => x - y);
      const gf = (us: number) => ((2 * n * n * n) / us / 1e3).toFixed(1);
      console.log(`${isa} ${threads}t n=${n}: ${gf(times[4])} GFLOP/s (best ${gf(times[0])})`);
    }
  }
}
