// `npm run bench`: W1 f32 matmul, W2 MLP training, W3 XOR step and W4 MLP inference for chainrule on each
// backend and, in the same run, the anchors that are installed: PyTorch (/usr/bin/python3), onnxruntime-node,
// TensorFlow.js cpu and wasm. Every engine gets the same inputs from files written here; outputs are checked
// against a float64 reference (or, for training, the anchors' losses) before anything is timed. Each engine
// runs each workload in its own process, so that peak RSS is its own. Prints Markdown tables with ratios
// and writes bench/results/latest.json.
// Flags: --quick (smaller sizes, shorter budgets), --only=W1,W4, --engines=chainrule-native,pytorch
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as prettier from "prettier";
import * as cr from "../src/index.js";
import {
  MLP,
  TRAIN_BATCH,
  XOR,
  readF32,
  rng,
  writeF32,
  type Job,
  type WorkerResult,
  type Workload,
} from "./lib/common.js";
import { agreement, renderTables, type Config, type Run } from "./lib/report.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const flag = (name: string) =>
  args
    .find((a) => a.startsWith(`--${name}=`))
    ?.split("=")[1]
    ?.split(",");
const quick = args.includes("--quick");
const only = (flag("only") ?? ["W1", "W2", "W3", "W4"]) as Workload[];
const all = os.availableParallelism();
const W1_SIZES = quick ? [512, 1024] : [512, 1024, 2048];
const W4_BATCHES = [1, 256];

// ---- inputs, drawn once, and float64 references ----
function uniform(r: () => number, n: number, lo: number, hi: number): Float32Array {
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
}

function writeMlp(dir: string, prefix: string, sizes: number[], r: () => number): void {
  for (let i = 0; i + 1 < sizes.length; i++) {
    const bound = 1 / Math.sqrt(sizes[i]);
    writeF32(dir, `${prefix}_w${i}`, uniform(r, sizes[i] * sizes[i + 1], -bound, bound));
    writeF32(dir, `${prefix}_b${i}`, uniform(r, sizes[i + 1], -bound, bound));
  }
}

const f64 = (data: Float32Array, shape: number[]) =>
  cr.tensor(Float64Array.from(data), { shape, dtype: "float64" });

function mlpReference(x: Float32Array, batch: number, weights: Float32Array[]): Float32Array {
  let h = f64(x, [batch, MLP[0]]);
  for (let i = 0; i + 1 < MLP.length; i++) {
    h = h.matmul(f64(weights[2 * i], [MLP[i + 1], MLP[i]]).t()).add(f64(weights[2 * i + 1], [MLP[i + 1]]));
    if (i + 2 < MLP.length) h = h.relu();
  }
  return Float32Array.from(h.toTypedArray());
}

function prepare(dir: string): void {
  const r = rng(2024);
  for (const n of W1_SIZES) {
    const [a, b] = [uniform(r, n * n, -1, 1), uniform(r, n * n, -1, 1)];
    writeF32(dir, `w1_A_${n}`, a);
    writeF32(dir, `w1_B_${n}`, b);
    writeF32(
      dir,
      `w1_C_${n}`,
      Float32Array.from(
        f64(a, [n, n])
          .matmul(f64(b, [n, n]))
          .toTypedArray(),
      ),
    );
  }
  writeMlp(dir, "mlp", MLP, r);
  writeMlp(dir, "xor", XOR, r);
  const weights = MLP.slice(1).flatMap((_, i) => ["w", "b"].map((k) => readF32(dir, `mlp_${k}${i}`)));
  for (const batch of W4_BATCHES) {
    const x = uniform(r, batch * MLP[0], 0, 1);
    writeF32(dir, `w4_x_${batch}`, x);
    writeF32(dir, `w4_y_${batch}`, mlpReference(x, batch, weights));
  }
  writeF32(dir, "w2_x", uniform(r, TRAIN_BATCH * MLP[0], 0, 1));
  writeF32(
    dir,
    "w2_y",
    Float32Array.from({ length: TRAIN_BATCH }, () => Math.floor(r() * MLP[3])),
  );
}

// ---- engines ----
const canImport = (name: string) => {
  try {
    createRequire(import.meta.url).resolve(name);
    return true;
  } catch {
    return false;
  }
};
const PYTHON = "/usr/bin/python3";
const haveTorch = fs.existsSync(PYTHON) && spawnSync(PYTHON, ["-c", "import torch, numpy"]).status === 0;
const tsx = (file: string) => [process.execPath, "--import", "tsx", path.join(root, "bench/engines", file)];

function configs(): Config[] {
  const list: Config[] = [];
  const add = (
    id: string,
    engine: string,
    threads: number,
    cmd: string[],
    workloads: Workload[],
    why?: string,
  ) => list.push({ id, engine, threads, cmd, workloads, unavailable: why });
  const threadsList = all > 1 ? [1, all] : [1];
  const native = cr.listBackends().includes("native")
    ? undefined
    : "native addon not built (see npm install output)";
  add("chainrule-cpu", "cpu", 1, tsx("chainrule.ts"), ["W1", "W2", "W3", "W4"]);
  for (const t of threadsList)
    add(`chainrule-native/${t}t`, "native", t, tsx("chainrule.ts"), t === 1 ? ["W1", "W2", "W3", "W4"] : ["W1", "W2", "W4"], native); // prettier-ignore
  const torch = haveTorch ? undefined : `no torch in ${PYTHON}`;
  for (const t of threadsList)
    add(`pytorch/${t}t`, "torch", t, [PYTHON, path.join(root, "bench/engines/torch_engine.py")], t === 1 ? ["W1", "W2", "W3", "W4"] : ["W1", "W2", "W4"], torch); // prettier-ignore
  const ort = canImport("onnxruntime-node") ? undefined : "onnxruntime-node not installed";
  for (const t of threadsList) add(`onnxruntime/${t}t`, "ort", t, tsx("ort.ts"), ["W1", "W4"], ort);
  const tfjs = canImport("@tensorflow/tfjs") ? undefined : "@tensorflow/tfjs not installed";
  add("tfjs-wasm", "wasm", 1, tsx("tfjs.ts"), ["W1", "W2", "W3", "W4"], tfjs);
  add("tfjs-cpu", "cpu", 1, tsx("tfjs.ts"), ["W1", "W2", "W3", "W4"], tfjs);
  const wanted = flag("engines");
  return wanted ? list.filter((c) => wanted.some((w) => c.id.startsWith(w))) : list;
}

// The chainrule workers time the compiled package (dist/), as users get it: build it from src/ now.
function buildPackage(): void {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  const p = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: root, encoding: "utf8" });
  if (p.status !== 0) throw new Error(`bench: building dist/ failed:\n${p.stdout}${p.stderr}`);
}

function runWorker(c: Config, workload: Workload, dir: string): WorkerResult | string {
  const job: Job = { workload, dir, threads: c.threads, engine: c.engine, sizes: workload === "W1" ? W1_SIZES : W4_BATCHES, quick }; // prettier-ignore
  const t = String(c.threads);
  const omp = c.engine === "torch" ? "1" : t; // see bench/engines/torch_engine.py
  const env = { ...process.env, OMP_NUM_THREADS: omp, OPENBLAS_NUM_THREADS: t, MKL_NUM_THREADS: t };
  const [cmd, ...rest] = c.cmd;
  const p = spawnSync(cmd, [...rest, JSON.stringify(job)], {
    cwd: root,
    env,
    encoding: "utf8",
    timeout: 900_000,
  });
  const line = p.stdout?.split("\n").find((l) => l.startsWith("RESULT "));
  if (line) return JSON.parse(line.slice(7)) as WorkerResult;
  return `failed (exit ${p.status ?? p.signal}): ${(p.stderr ?? "").trim().split("\n").slice(-3).join(" | ")}`;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainrule-bench-"));
  const started = new Date();
  console.log(
    `chainrule bench: ${os.cpus()[0]?.model ?? "cpu"} × ${all}, Node ${process.version}, ${started.toISOString()}`,
  );
  const loadStart = os.loadavg()[0];
  buildPackage();
  prepare(dir);
  const runs: Run[] = [];
  const cfgs = configs();
  for (const workload of only) {
    for (const c of cfgs.filter((x) => x.workloads.includes(workload))) {
      if (c.unavailable) {
        runs.push({ config: c.id, workload, result: `skipped: ${c.unavailable}` });
        continue;
      }
      process.stdout.write(`  ${workload} ${c.id} … `);
      const t0 = performance.now();
      const result = runWorker(c, workload, dir);
      console.log(typeof result === "string" ? result : `${((performance.now() - t0) / 1e3).toFixed(1)} s`);
      runs.push({ config: c.id, workload, result });
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
  const checks = agreement(runs);
  const tables = renderTables(runs, cfgs, checks);
  console.log(`\n${tables}`);
  console.log(
    `\nload average (1 min): ${loadStart.toFixed(2)} at start, ${os.loadavg()[0].toFixed(2)} at end`,
  );
  const out = path.join(root, "bench/results/latest.json");
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const machine = { cpu: os.cpus()[0]?.model, cores: all, node: process.version, platform: `${os.platform()} ${os.arch()}` }; // prettier-ignore
  const report = {
    date: started.toISOString(),
    machine,
    load: { atStart: loadStart, atEnd: os.loadavg()[0] },
    quick,
    nativeKernels: cr.nativeKernels(),
    runs,
    checks,
    tables,
  };
  const style = (await prettier.resolveConfig(out)) ?? {};
  fs.writeFileSync(out, await prettier.format(JSON.stringify(report), { ...style, filepath: out }));
  console.log(`wrote ${path.relative(root, out)}`);
}

await main();
