// What every experiment shares: its options and result, writing figures, the main-block runner that
// prints the measured numbers, and small training helpers (full-batch binary classifiers).
import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as cr from "../../src/index.js";

const { nn, optim } = cr;

/** How an experiment runs: `fast` (CI: fewer steps and points) and where its figures go. */
export interface RunOptions {
  fast: boolean;
  /** Default: docs/figures/experiments/ of the repository. */
  outDir?: string;
}

/** What an experiment measured, and the SVG files it wrote (absolute paths). */
export interface ExperimentResult {
  numbers: Record<string, number>;
  figures: string[];
}

/** An experiment module's shape. */
export interface Experiment {
  /** The lecture's claim, one sentence. */
  claim: string;
  run(opts: RunOptions): Promise<ExperimentResult>;
}

/** The committed figures' folder. */
export const FIGURE_DIR = fileURLToPath(new URL("../../docs/figures/experiments/", import.meta.url));

/** Writes `svg` as `<outDir>/<name>` and returns its path. */
export function writeFigure(opts: RunOptions, name: string, svg: string): string {
  const dir = resolve(opts.outDir ?? FIGURE_DIR);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, svg);
  return path;
}

/** `v` with 4 significant digits (or an integer as is), for printed tables and titles. */
export function fmt(v: number): string {
  if (Number.isInteger(v)) return String(v);
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5)) return v.toExponential(3);
  return String(Number(v.toPrecision(4)));
}

/** Runs the experiment in full mode when `moduleUrl` is the script node was started with. */
export function mainBlock(moduleUrl: string, exp: Experiment): void {
  const entry = process.argv[1];
  if (!entry || pathToFileURL(resolve(entry)).href !== moduleUrl) return;
  const fast = process.argv.includes("--fast");
  const t0 = performance.now();
  exp.run({ fast }).then(
    (r) => {
      console.log(`claim: ${exp.claim}`);
      const width = Math.max(...Object.keys(r.numbers).map((k) => k.length));
      for (const [k, v] of Object.entries(r.numbers)) console.log(`  ${k.padEnd(width)}  ${fmt(v)}`);
      for (const f of r.figures) console.log(`figure: ${relative(process.cwd(), f)}`);
      console.log(`(${fast ? "fast" : "full"} mode, ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    },
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}

/** Float 0/1 column [N, 1] of int32 labels [N]. */
export function column(y: cr.Tensor): cr.Tensor {
  return y.to("float32").reshape(-1, 1);
}

/** Accuracy of a one-logit binary classifier on (x, y int32 labels). */
export function binaryAccuracy(model: (x: cr.Tensor) => cr.Tensor, x: cr.Tensor, y: cr.Tensor): number {
  return cr.train.accuracy(
    cr.noGrad(() => model(x)),
    y,
  );
}

/** Options of trainBinary. */
export interface TrainOptions {
  steps: number;
  lr: number;
  optimizer?: "adam" | "sgd";
}

/**
 * Full-batch training of a one-logit classifier with BCE-with-logits; returns the loss at every step
 * (the last entry is the loss after the final update).
 */
export function trainBinary(model: cr.nn.Module, x: cr.Tensor, y: cr.Tensor, opts: TrainOptions): number[] {
  const params = model.parameters();
  const opt =
    opts.optimizer === "sgd"
      ? new optim.SGD(params, { lr: opts.lr })
      : new optim.Adam(params, { lr: opts.lr });
  const lossFn = new nn.BCEWithLogitsLoss();
  const target = column(y);
  const losses: number[] = [];
  for (let s = 0; s < opts.steps; s++) {
    opt.zeroGrad();
    const loss = lossFn.forward(model.forward(x), target);
    losses.push(loss.item());
    loss.backward();
    opt.step();
  }
  losses.push(cr.noGrad(() => lossFn.forward(model.forward(x), target)).item());
  return losses;
}

/** Numbers of a tensor as a plain array. */
export function values(t: cr.Tensor): number[] {
  return Array.from(
    cr.noGrad(() => t.toTypedArray()),
    Number,
  );
}
