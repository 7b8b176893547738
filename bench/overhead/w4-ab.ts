// W4 batch-256 throughput (MLP 784-512-256-10, ReLU, no grad) of chainrule-native against onnxruntime-node,
// and optionally against another chainrule build, in alternating processes (A, B, C, A, B, C, …), so that
// all see the same load on the shared 2-vCPU machine. Reports per engine the median over rounds of each
// process's median forward time, and process CPU time per forward (less sensitive to waiting for a core).
// Run: npx tsx bench/overhead/w4-ab.ts [threads=1] [rounds=8] [old dist/index.js old chainrule.node]
// (the current tree runs from dist/: build it first with `npx tsc -p tsconfig.build.json`)
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const BATCH = 256;
const SIZES = [784, 512, 256, 10];
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** Times `f` in samples of 10 calls for `seconds` after a warm-up: [median ms, CPU ms per call]. */
async function time(f: () => unknown, seconds: number): Promise<[number, number]> {
  for (const t0 = performance.now(); performance.now() - t0 < 800;) await f();
  const samples: number[] = [];
  const cpu0 = process.cpuUsage();
  for (const t0 = performance.now(); performance.now() - t0 < seconds * 1000;) {
    const a = performance.now();
    for (let i = 0; i < 10; i++) await f();
    samples.push((performance.now() - a) / 10);
  }
  const cpu = process.cpuUsage(cpu0);
  return [med(samples), (cpu.user + cpu.system) / 1000 / (samples.length * 10)];
}

async function worker(engine: string, threads: number, dist: string): Promise<[number, number]> {
  const x = Float32Array.from({ length: BATCH * SIZES[0] }, (_, i) => ((i * 7919) % 1000) / 1000);
  if (engine === "ort") {
    const ort = await import("onnxruntime-node");
    const { mlpModel } = await import("../lib/onnx.js");
    const layers = SIZES.slice(1).map((out, i) => ({
      w: Float32Array.from({ length: out * SIZES[i] }, (_, j) => (((j * 104729) % 2001) - 1000) / 30000),
      b: new Float32Array(out),
      out,
      in: SIZES[i],
    }));
    const opts = { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: "sequential" as const };
    const session = await ort.InferenceSession.create(mlpModel(layers), opts);
    const input = new ort.Tensor("float32", x, [BATCH, SIZES[0]]);
    return time(() => session.run({ x: input }), 1);
  }
  const cr = (await import(dist)) as typeof import("../../src/index.js");
  cr.setBackend("native");
  cr.setNumThreads(threads);
  const { nn } = cr;
  const mods = SIZES.slice(1).flatMap((out, i) => [new nn.Linear(SIZES[i], out), new nn.ReLU()]);
  const model = new nn.Sequential(...mods.slice(0, -1));
  const input = cr.tensor(x, { shape: [BATCH, SIZES[0]] });
  return time(() => cr.noGrad(() => model.forward(input)), 1);
}

const [role, ...args] = process.argv.slice(2);
if (role === "--worker") {
  const [engine, threads, dist] = args;
  console.log(JSON.stringify(await worker(engine, Number(threads), dist)));
} else {
  const [threads = "1", rounds = "8", oldDist, oldAddon] = [role, ...args];
  const here = fileURLToPath(import.meta.url);
  const current = new URL("../../dist/index.js", import.meta.url).href;
  const engines: [string, string, NodeJS.ProcessEnv][] = [
    ["chainrule", current, {}],
    ["ort", "", {}],
  ];
  if (oldDist) engines.unshift(["chainrule-old", oldDist, { CHAINRULE_NATIVE_PATH: oldAddon }]);
  const results = new Map<string, [number, number][]>(engines.map(([n]) => [n, []]));
  for (let r = 0; r < Number(rounds); r++)
    for (const [name, dist, env] of engines) {
      const engine = name === "ort" ? "ort" : "native";
      const cmd = [process.execPath, "--import", "tsx", here, "--worker", engine, threads, dist];
      const p = spawnSync(cmd[0], cmd.slice(1), { env: { ...process.env, ...env }, encoding: "utf8" });
      if (p.status !== 0) throw new Error(`${name}: ${p.stderr}`);
      results.get(name)!.push(JSON.parse(p.stdout.trim().split("\n").pop()!) as [number, number]);
    }
  for (const [name, rs] of results) {
    const ms = med(rs.map((r) => r[0]));
    const cpu = med(rs.map((r) => r[1]));
    console.log(`${name.padEnd(14)} ${threads}t: ${(ms * 1000).toFixed(0)} µs/forward (${Math.round((BATCH / ms) * 1000)} samples/s), CPU ${(cpu * 1000).toFixed(0)} µs/forward, ${rs.length} rounds`); // prettier-ignore
  }
}
