// Bench worker for chainrule itself (public API only), on the backend and thread count the job names.
// Usage (by bench/run.ts): tsx bench/engines/chainrule.ts '<job json>'
// It times the compiled package (dist/, what `npm publish` ships and users import), which bench/run.ts
// builds first: through tsx, src/ would run with esbuild's keepNames, whose __name() wrapper on every named
// closure costs W3 ~30% (bench/README.md).
import fs from "node:fs";
import type * as Chainrule from "../../src/index.js";
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

const entry = new URL("../../dist/index.js", import.meta.url);
if (!fs.existsSync(entry))
  throw new Error("bench: dist/ is missing; run `npm run build` (bench/run.ts does)");
const cr = (await import(entry.href)) as typeof Chainrule;
const { nn, optim } = cr;
const job = parseJob();
cr.setBackend(job.engine);
cr.setNumThreads(job.threads);

/** An MLP with `act` between layers, its weights loaded from the job's files. */
function mlp(
  j: Job,
  prefix: string,
  sizes: number[],
  act: () => Chainrule.nn.Module,
  last?: Chainrule.nn.Module,
) {
  const mods: Chainrule.nn.Module[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    const lin = new nn.Linear(sizes[i], sizes[i + 1]);
    const l = layer(j.dir, prefix, i, sizes);
    cr.noGrad(() => {
      lin.weight.copy_(cr.tensor(l.w, { shape: [l.out, l.in] }));
      lin.bias!.copy_(cr.tensor(l.b));
    });
    mods.push(lin);
    if (i + 2 < sizes.length) mods.push(act());
  }
  if (last) mods.push(last);
  return new nn.Sequential(...mods);
}

async function w1(j: Job): Promise<Measurement[]> {
  const out: Measurement[] = [];
  for (const n of j.sizes) {
    if (j.engine === "cpu" && n > 1024) {
      out.push({ name: `n=${n}`, skipped: "cpu backend: one product takes > 10 s" });
      continue;
    }
    const a = cr.tensor(readF32(j.dir, `w1_A_${n}`), { shape: [n, n] });
    const b = cr.tensor(readF32(j.dir, `w1_B_${n}`), { shape: [n, n] });
    const err = relErr(a.matmul(b).toTypedArray(), readF32(j.dir, `w1_C_${n}`));
    const timing = await measure(() => a.matmul(b), { budget: j.quick ? 1 : 3 });
    out.push({ name: `n=${n}`, timing, extra: { err, gflops: (2 * n ** 3) / timing.median / 1e9 } });
  }
  return out;
}

async function w4(j: Job): Promise<Measurement[]> {
  const model = mlp(j, "mlp", MLP, () => new nn.ReLU());
  const out: Measurement[] = [];
  for (const batch of j.sizes) {
    const x = cr.tensor(readF32(j.dir, `w4_x_${batch}`), { shape: [batch, MLP[0]] });
    const forward = () => cr.noGrad(() => model.forward(x));
    const err = relErr(forward().toTypedArray(), readF32(j.dir, `w4_y_${batch}`));
    const timing = await measure(forward, { budget: j.quick ? 1 : 3 });
    out.push({ name: `batch=${batch}`, timing, extra: { err, samplesPerS: batch / timing.median } });
  }
  return out;
}

async function w2(j: Job): Promise<Measurement[]> {
  const out: Measurement[] = [];
  const x = cr.tensor(readF32(j.dir, "w2_x"), { shape: [TRAIN_BATCH, MLP[0]] });
  const y = cr.tensor(Int32Array.from(readF32(j.dir, "w2_y")), { shape: [TRAIN_BATCH] });
  for (const name of ["sgd", "adam"]) {
    const model = mlp(j, "mlp", MLP, () => new nn.ReLU());
    const ps = model.parameters();
    const opt =
      name === "sgd" ? new optim.SGD(ps, { lr: 0.01, momentum: 0.9 }) : new optim.Adam(ps, { lr: 1e-3 });
    const lossFn = new nn.CrossEntropyLoss();
    const step = () => {
      opt.zeroGrad();
      const loss = lossFn.forward(model.forward(x), y);
      loss.backward();
      opt.step();
      return loss;
    };
    const check = Array.from({ length: 5 }, () => step().item());
    const timing = await measure(step, { budget: j.quick ? 2 : 5, minSamples: 5 });
    out.push({ name, timing, check, extra: { samplesPerS: TRAIN_BATCH / timing.median } });
  }
  return out;
}

async function w3(j: Job): Promise<Measurement[]> {
  const model = mlp(j, "xor", XOR, () => new nn.Tanh(), new nn.Sigmoid());
  const opt = new optim.SGD(model.parameters(), { lr: 0.5 });
  const x = cr.tensor([
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ]);
  const y = cr.tensor([[0], [1], [1], [0]]);
  const lossFn = new nn.MSELoss();
  const step = () => {
    opt.zeroGrad();
    const loss = lossFn.forward(model.forward(x), y);
    loss.backward();
    opt.step();
    return loss;
  };
  const check = Array.from({ length: 5 }, () => step().item());
  const timing = await measure(step, { budget: j.quick ? 1 : 3 });
  // Memory must stay flat: RSS after 1,000 more steps versus after 10,000.
  for (let i = 0; i < 1000; i++) step();
  const rss1k = currentRssMb();
  for (let i = 0; i < 9000; i++) step();
  const rss10k = currentRssMb();
  return [{ name: "step", timing, check, extra: { us: timing.median * 1e6, rss1k, rss10k } }];
}

const runs = { W1: w1, W2: w2, W3: w3, W4: w4 };
const pkg = JSON.parse(fs.readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
};
const kernels = job.engine === "native" ? `, ${cr.nativeKernels()} kernels` : "";
const measurements = await runs[job.workload](job);
emit({
  engine: `chainrule-${job.engine}`,
  version: `chainrule ${pkg.version} (${job.engine} backend${kernels}, ${cr.getNumThreads()} thread(s))`,
  measurements,
  peakRssMb: peakRssMb(),
});
