// `chainrule train` and `chainrule resume`: build data, model, optimizer and schedule from a config,
// run fit() with checkpoints after every epoch and file logs, then test, save and write the report.
// resume rebuilds the same run from a checkpoint and continues it bit for bit.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import * as cr from "../src/index.js";
import { CliError, UsageError } from "./args.js";
import {
  chooseBackend,
  grouped,
  metricsFor,
  readCheckpoint,
  showMetric,
  type CheckpointMeta,
} from "./common.js";
import type { TrainConfig } from "./config.js";
import { prepareData, type Prepared } from "./data.js";
import {
  buildLoss,
  buildModel,
  buildOptimizer,
  buildScheduler,
  describeModel,
  type ModelSpec,
} from "./model.js";
import { renderReport } from "./report.js";

const T = cr.train;

interface RunOptions {
  resumeFrom?: string;
  /** Train up to this epoch instead of config.epochs (resume --epochs; the schedule keeps config.epochs). */
  epochs?: number;
  quiet: boolean;
  backend: string;
}

function say(quiet: boolean, line: string): void {
  if (!quiet) process.stdout.write(`${line}\n`);
}

/** Everything a run trains with, built from the config (and restored from a checkpoint when resuming). */
interface Run {
  d: Prepared;
  spec: ModelSpec;
  model: cr.nn.Sequential;
  optimizer: cr.optim.Optimizer;
  loss: cr.nn.Module;
  scheduler: cr.train.Scheduler | undefined;
  interval: "epoch" | "batch";
  stepsPerEpoch: number;
  initialEpoch: number;
  history: cr.train.History;
  meta: CheckpointMeta;
}

function setup(c: TrainConfig, resumeFrom: string | undefined): Run {
  cr.manualSeed(c.seed);
  const d = prepareData(c);
  const { inputs, outputs } = d.info;
  const { layers, activation, dropout, batchNorm } = c;
  const spec: ModelSpec = { kind: "mlp", inputs, layers, outputs, activation, dropout, batchNorm };
  const model = buildModel(spec);
  const optimizer = buildOptimizer(c, model);
  const stepsPerEpoch = Math.ceil(d.train.x.shape[0] / c.batchSize);
  const { scheduler, interval } = buildScheduler(c, optimizer, stepsPerEpoch);
  let initialEpoch = 0;
  let history = new T.History();
  if (resumeFrom) {
    const ck = cr.io.loadCheckpoint(resumeFrom, { model, optimizer, scheduler });
    initialEpoch = ck.epoch;
    history = new T.History((ck.extra.history as cr.train.EpochLogs[] | undefined) ?? []);
  }
  const meta: CheckpointMeta = { format: "chainrule-cli/1", config: c, model: spec, data: d.info };
  const loss = buildLoss(c, d.info.task);
  return { d, spec, model, optimizer, loss, scheduler, interval, stepsPerEpoch, initialEpoch, history, meta };
}

/** The checkpoint after every epoch, the two file logs, and early stopping when asked for. */
function callbacksFor(c: TrainConfig, r: Run, resumed: boolean): cr.train.Callback[] {
  const callbacks: cr.train.Callback[] = [
    new T.ModelCheckpoint({ path: join(c.out, "model.safetensors"), extra: { ...r.meta } }),
    new T.JsonLinesLogger(join(c.out, "history.jsonl"), { append: resumed }),
    new T.CsvLogger(join(c.out, "history.csv"), { append: resumed }),
  ];
  if (c.earlyStop > 0) callbacks.push(new T.EarlyStopping({ patience: c.earlyStop, restoreBest: true }));
  return callbacks;
}

function announce(c: TrainConfig, r: Run, o: RunOptions): void {
  const { train, validation, test } = r.d;
  const val = validation ? ` / ${grouped(validation.x.shape[0])} validation` : "";
  const split = `${grouped(train.x.shape[0])} train${val} / ${grouped(test.x.shape[0])} test`;
  say(o.quiet, `chainrule: ${c.dataset === "csv" ? c.data : c.dataset} (${split}), ${describeModel(r.spec)}`);
  const from = r.initialEpoch ? ` from epoch ${r.initialEpoch}` : "";
  say(
    o.quiet,
    `${c.optimizer} lr ${c.lr}${c.schedule === "none" ? "" : ` (${c.schedule})`}, batch ${c.batchSize}, ` +
      `${o.epochs ?? c.epochs} epochs${from}, seed ${c.seed}, backend ${o.backend} → ${c.out}/`,
  );
}

/** Tests the trained model, saves the final checkpoint with the test metrics, prints them; returns them. */
function finish(c: TrainConfig, r: Run): Record<string, number> {
  const { d, history } = r;
  const classification = d.info.task === "classification";
  const test = T.evaluate(r.model, d.test, {
    loss: r.loss,
    metrics: classification ? ["accuracy", "f1"] : ["mse", "mae", "r2"],
  });
  const epoch = history.last()?.epoch ?? r.initialEpoch;
  cr.io.saveCheckpoint(join(c.out, "model.safetensors"), {
    model: r.model,
    optimizer: r.optimizer,
    scheduler: r.scheduler,
    epoch,
    step: epoch * r.stepsPerEpoch,
    extra: { ...r.meta, test, history: history.toJSON() },
  });
  const shown = Object.entries(test).map(([k, v]) => `${k} ${showMetric(k, v)}`);
  const headline = classification
    ? `Test accuracy: ${showMetric("accuracy", test.accuracy)}`
    : `Test R²: ${test.r2.toFixed(4)}`;
  process.stdout.write(`${headline}  (${shown.join(", ")}; ${grouped(d.test.x.shape[0])} samples)\n`);
  return test;
}

/** Trains (or resumes) the configured run; prints progress, test metrics and where the files went. */
async function run(c: TrainConfig, o: RunOptions): Promise<void> {
  const t0 = performance.now();
  const r = setup(c, o.resumeFrom);
  mkdirSync(c.out, { recursive: true });
  writeFileSync(join(c.out, "config.json"), `${JSON.stringify(c, null, 2)}\n`);
  announce(c, r, o);
  const validationName = r.d.validation ? "val" : "test";
  await T.fit(r.model, {
    train: r.d.train,
    validation: r.d.validation ?? r.d.test,
    validationName,
    epochs: o.epochs ?? c.epochs,
    initialEpoch: r.initialEpoch,
    batchSize: c.batchSize,
    seed: c.seed,
    optimizer: r.optimizer,
    loss: r.loss,
    metrics: metricsFor(r.d.info.task),
    callbacks: callbacksFor(c, r, o.resumeFrom !== undefined),
    scheduler: r.scheduler,
    schedulerInterval: r.interval,
    verbose: o.quiet ? 0 : 1,
    history: r.history,
  });
  const trainSeconds = (performance.now() - t0) / 1000;
  const testMetrics = finish(c, r);
  const files = ["model.safetensors", "history.jsonl", "history.csv", "config.json"];
  if (c.report) {
    const { d, spec, model, history } = r;
    const html = renderReport({
      ...{ config: c, spec, info: d.info, model, history, test: d.test, testMetrics, validationName },
      trainSamples: d.train.x.shape[0],
      validationSamples: (d.validation ?? d.test).x.shape[0],
      backend: o.backend,
      seconds: (performance.now() - t0) / 1000,
    });
    writeFileSync(join(c.out, "report.html"), html);
    files.push("report.html");
  }
  say(o.quiet, `Done in ${trainSeconds.toFixed(1)} s. Wrote ${files.join(", ")} into ${c.out}/`);
}

/** Trains the configured run (chainrule train). */
export async function train(c: TrainConfig, o: { backend?: string; quiet: boolean }): Promise<void> {
  await run(c, { quiet: o.quiet, backend: chooseBackend(o.backend) });
}

/** Continues the run saved in `path` up to `epochs` (default: its own) epochs (chainrule resume). */
export async function resume(
  path: string,
  o: { epochs?: number; out?: string; backend?: string; quiet: boolean },
): Promise<void> {
  const backend = chooseBackend(o.backend);
  const ck = readCheckpoint(path);
  const config: TrainConfig = { ...ck.meta.config, out: o.out ?? dirname(path) };
  if (o.epochs !== undefined) {
    if (o.epochs < ck.epoch)
      throw new UsageError(`--epochs ${o.epochs} is below the checkpoint's ${ck.epoch} completed epochs`);
    if (config.schedule === "onecycle" && o.epochs !== config.epochs)
      throw new CliError(
        `the onecycle schedule of this run was planned for ${config.epochs} epochs; resume without --epochs`,
      );
  }
  const until = o.epochs ?? config.epochs;
  if (ck.epoch >= until && !o.quiet)
    process.stdout.write(`${path} has already trained ${ck.epoch} of ${until} epochs; evaluating only\n`);
  await run(config, { resumeFrom: path, epochs: until, quiet: o.quiet, backend });
}
