// Bench worker for the onnxruntime-node anchor (inference only: W1 and W4), on models that
// bench/lib/onnx.ts writes as protobuf bytes, with intra-op threads as the job says.
// Usage (by bench/run.ts): tsx bench/engines/ort.ts '<job json>'
import fs from "node:fs";
import { createRequire } from "node:module";
import * as ort from "onnxruntime-node";
import {
  MLP,
  emit,
  layer,
  measure,
  parseJob,
  peakRssMb,
  readF32,
  relErr,
  type Job,
  type Measurement,
} from "../lib/common.js";
import { matmulModel, mlpModel } from "../lib/onnx.js";

const job = parseJob();
const options: ort.InferenceSession.SessionOptions = {
  intraOpNumThreads: job.threads,
  interOpNumThreads: 1,
  executionMode: "sequential",
  graphOptimizationLevel: "all",
};

async function w1(j: Job): Promise<Measurement[]> {
  const out: Measurement[] = [];
  for (const n of j.sizes) {
    const session = await ort.InferenceSession.create(matmulModel(n), options);
    const A = new ort.Tensor("float32", readF32(j.dir, `w1_A_${n}`), [n, n]);
    const B = new ort.Tensor("float32", readF32(j.dir, `w1_B_${n}`), [n, n]);
    const run = async () => (await session.run({ A, B })).C.data as Float32Array;
    const err = relErr(await run(), readF32(j.dir, `w1_C_${n}`));
    const timing = await measure(run, { budget: j.quick ? 1 : 3 });
    out.push({ name: `n=${n}`, timing, extra: { err, gflops: (2 * n ** 3) / timing.median / 1e9 } });
  }
  return out;
}

async function w4(j: Job): Promise<Measurement[]> {
  const layers = MLP.slice(1).map((_, i) => layer(j.dir, "mlp", i, MLP));
  const session = await ort.InferenceSession.create(mlpModel(layers), options);
  const out: Measurement[] = [];
  for (const batch of j.sizes) {
    const x = new ort.Tensor("float32", readF32(j.dir, `w4_x_${batch}`), [batch, MLP[0]]);
    const run = async () => (await session.run({ x })).y.data as Float32Array;
    const err = relErr(await run(), readF32(j.dir, `w4_y_${batch}`));
    const timing = await measure(run, { budget: j.quick ? 1 : 3 });
    out.push({ name: `batch=${batch}`, timing, extra: { err, samplesPerS: batch / timing.median } });
  }
  return out;
}

const measurements = job.workload === "W1" ? await w1(job) : job.workload === "W4" ? await w4(job) : [];
const pkgPath = createRequire(import.meta.url).resolve("onnxruntime-node/package.json");
const { version } = JSON.parse(fs.readFileSync(pkgPath, "utf8")) as { version: string };
emit({
  engine: "onnxruntime",
  version: `onnxruntime-node ${version} (${job.threads} intra-op thread(s))`,
  measurements,
  peakRssMb: peakRssMb(),
});
