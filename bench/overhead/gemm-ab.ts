// Native GEMM builds side by side: square f32 products (W1) and the W4 batch-256 forward, on 1 and 2
// threads, in alternating processes (A, B, A, B, …) so that every build sees the same load on the shared
// machine. Each process reports the median of its timed calls per case; printed are the medians over rounds
// and B's ratio to A. Every build must have the kernels this dist/ calls (variants of the current sources;
// an older addon is refused by the loader). Run (after `npx tsc -p tsconfig.build.json`):
//   npx tsx bench/overhead/gemm-ab.ts [rounds=5] [cases=sq512,sq1024,sq2048,w4,l1,l2,l3] A.node [B.node …]
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
type Case = { name: string; flops: number; run: () => unknown };

async function worker(caseNames: string[]): Promise<Record<string, number>> {
  const cr = (await import(
    new URL("../../dist/index.js", import.meta.url).href
  )) as typeof import("../../src/index.js");
  cr.setBackend("native");
  const cases: Case[] = [];
  for (const name of caseNames) {
    if (name.startsWith("sq")) {
      const n = Number(name.slice(2));
      const a = cr.randn([n, n]);
      const b = cr.randn([n, n]);
      cases.push({ name, flops: 2 * n ** 3, run: () => cr.noGrad(() => a.matmul(b)) });
    } else if (name === "w4") {
      const sizes = [784, 512, 256, 10];
      const mods = sizes.slice(1).flatMap((out, i) => [new cr.nn.Linear(sizes[i], out), new cr.nn.ReLU()]);
      const model = new cr.nn.Sequential(...mods.slice(0, -1));
      const x = cr.rand([256, 784]);
      const flops = 2 * 256 * (784 * 512 + 512 * 256 + 256 * 10);
      cases.push({ name, flops, run: () => cr.noGrad(() => model.forward(x)) });
    } else if (/^l[123]$/.test(name)) {
      const [inF, outF] = [
        [784, 512],
        [512, 256],
        [256, 10],
      ][Number(name[1]) - 1];
      const [x, w, b] = [cr.rand([256, inF]), cr.randn([outF, inF]), cr.randn([outF])];
      const F = cr.nn.functional;
      cases.push({
        name,
        flops: 2 * 256 * inF * outF,
        run: () => cr.noGrad(() => F.relu(F.linear(x, w, b))),
      });
    } else throw new Error(`gemm-ab: unknown case ${name}`);
  }
  const out: Record<string, number> = {};
  for (const threads of [1, 2]) {
    cr.setNumThreads(threads);
    for (const c of cases) {
      for (const t0 = performance.now(); performance.now() - t0 < 150;) c.run();
      const ts: number[] = [];
      for (const t0 = performance.now(); performance.now() - t0 < 600 || ts.length < 5;) {
        const a = performance.now();
        c.run();
        ts.push(performance.now() - a);
      }
      out[`${c.name}/${threads}t`] = c.flops / med(ts) / 1e6; // GFLOP/s
    }
  }
  return out;
}

const args = process.argv.slice(2);
if (args[0] === "--worker") console.log(JSON.stringify(await worker(args[1].split(","))));
else {
  const rounds = Number(args[0] ?? 5);
  const cases = args[1] ?? "sq512,sq1024,sq2048,w4";
  const addons = args.slice(2);
  const here = fileURLToPath(import.meta.url);
  const res = addons.map(() => new Map<string, number[]>());
  for (let r = 0; r < rounds; r++)
    addons.forEach((addon, i) => {
      const cmd = ["--import", "tsx", here, "--worker", cases];
      const p = spawnSync(process.execPath, cmd, { env: { ...process.env, CHAINRULE_NATIVE_PATH: addon }, encoding: "utf8" }); // prettier-ignore
      if (p.status !== 0) throw new Error(`${addon}: ${p.stderr}`);
      const o = JSON.parse(p.stdout.trim().split("\n").pop()!) as Record<string, number>;
      for (const [k, v] of Object.entries(o)) res[i].set(k, [...(res[i].get(k) ?? []), v]);
    });
  for (const k of res[0].keys()) {
    const base = med(res[0].get(k)!);
    const cols = res.map((m, i) => {
      const v = med(m.get(k)!);
      return i === 0 ? `${v.toFixed(1)}` : `${v.toFixed(1)} (${(v / base).toFixed(3)}×)`;
    });
    console.log(`${k.padEnd(12)} ${cols.join("   ")}  GFLOP/s`);
  }
}
