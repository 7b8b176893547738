// Bench worker for the TensorFlow.js anchor on its 'cpu' (plain JavaScript) or 'wasm' backend: the same
// inputs, models and optimizers as chainrule's worker, written with tf ops and tf.train.
// Usage (by bench/run.ts): tsx bench/engines/tfjs.ts '<job json>'
import * as tf from "@tensorflow/tfjs";
import {
  MLP,
  TRAIN_BATCH,
  XOR,
  currentRssMb,
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

const job = parseJob();
if (job.engine === "wasm") await import("@tensorflow/tfjs-backend-wasm");
await tf.setBackend(job.engine);
await tf.ready();

type Layer = { w: tf.Variable; b: tf.Variable };
function mlp(j: Job, prefix: string, sizes: number[]): Layer[] {
  return sizes.slice(1).map((_, i) => {
    const l = layer(j.dir, prefix, i, sizes);
    return { w: tf.variable(tf.tensor2d(l.w, [l.out, l.in])), b: tf.variable(tf.tensor1d(l.b)) };
  });
}

function forward(layers: Layer[], x: tf.Tensor2D, act: (t: tf.Tensor2D) => tf.Tensor2D): tf.Tensor2D {
  let h = x;
  layers.forEach((l, i) => {
    h = tf.add(tf.matMul(h, l.w, false, true), l.b);
    if (i + 1 < layers.length) h = act(h);
  });
  return h;
}

async function w1(j: Job): Promise<Measurement[]> {
  const out: Measurement[] = [];
  for (const n of j.sizes) {
    if (j.engine === "cpu" && n > 1024) {
      out.push({ name: `n=${n}`, skipped: "tfjs cpu: one product takes > 10 s" });
      continue;
    }
    const a = tf.tensor2d(readF32(j.dir, `w1_A_${n}`), [n, n]);
    const b = tf.tensor2d(readF32(j.dir, `w1_B_${n}`), [n, n]);
    const run = () => {
      const c = tf.matMul(a, b);
      const d = c.dataSync();
      c.dispose();
      return d;
    };
    const err = relErr(run(), readF32(j.dir, `w1_C_${n}`));
    const timing = await measure(run, { budget: j.quick ? 1 : 3 });
    out.push({ name: `n=${n}`, timing, extra: { err, gflops: (2 * n ** 3) / timing.median / 1e9 } });
  }
  return out;
}

async function w4(j: Job): Promise<Measurement[]> {
  const layers = mlp(j, "mlp", MLP);
  const out: Measurement[] = [];
  for (const batch of j.sizes) {
    const x = tf.tensor2d(readF32(j.dir, `w4_x_${batch}`), [batch, MLP[0]]);
    const run = () => {
      const y = tf.tidy(() => forward(layers, x, tf.relu));
      const d = y.dataSync();
      y.dispose();
      return d;
    };
    const err = relErr(run(), readF32(j.dir, `w4_y_${batch}`));
    const timing = await measure(run, { budget: j.quick ? 1 : 3 });
    out.push({ name: `batch=${batch}`, timing, extra: { err, samplesPerS: batch / timing.median } });
  }
  return out;
}

function trainer(loss: () => tf.Scalar, opt: tf.Optimizer) {
  return () => {
    const l = opt.minimize(loss, true) as tf.Scalar;
    const v = l.dataSync()[0];
    l.dispose();
    return v;
  };
}

async function w2(j: Job): Promise<Measurement[]> {
  const x = tf.tensor2d(readF32(j.dir, "w2_x"), [TRAIN_BATCH, MLP[0]]);
  const labels = tf.oneHot(tf.tensor1d(Int32Array.from(readF32(j.dir, "w2_y")), "int32"), MLP[3]);
  const out: Measurement[] = [];
  for (const name of ["sgd", "adam"]) {
    const layers = mlp(j, "mlp", MLP);
    const opt = name === "sgd" ? tf.train.momentum(0.01, 0.9) : tf.train.adam(1e-3, 0.9, 0.999, 1e-8);
    const step = trainer(
      () => tf.losses.softmaxCrossEntropy(labels, forward(layers, x, tf.relu)) as tf.Scalar,
      opt,
    );
    const check = Array.from({ length: 5 }, step);
    const timing = await measure(step, { budget: j.quick ? 2 : 5, minSamples: 3, tooSlow: 20 });
    out.push({ name, timing, check, extra: { samplesPerS: TRAIN_BATCH / timing.median } });
  }
  return out;
}

async function w3(j: Job): Promise<Measurement[]> {
  const layers = mlp(j, "xor", XOR);
  const x = tf.tensor2d([0, 0, 0, 1, 1, 0, 1, 1], [4, 2]);
  const y = tf.tensor2d([0, 1, 1, 0], [4, 1]);
  const opt = tf.train.sgd(0.5);
  const step = trainer(
    () => tf.losses.meanSquaredError(y, tf.sigmoid(forward(layers, x, tf.tanh))) as tf.Scalar,
    opt,
  );
  const check = Array.from({ length: 5 }, step);
  const timing = await measure(step, { budget: j.quick ? 1 : 3 });
  for (let i = 0; i < 1000; i++) step();
  const rss1k = currentRssMb();
  for (let i = 0; i < 9000; i++) step();
  const rss10k = currentRssMb();
  return [{ name: "step", timing, check, extra: { us: timing.median * 1e6, rss1k, rss10k } }];
}

const runs = { W1: w1, W2: w2, W3: w3, W4: w4 };
const measurements = await runs[job.workload](job);
emit({
  engine: `tfjs-${job.engine}`,
  version: `TensorFlow.js ${tf.version.tfjs} (${job.engine} backend, 1 thread)`,
  measurements,
  peakRssMb: peakRssMb(),
});
