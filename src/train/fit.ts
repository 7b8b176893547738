// fit(): the training loop — epochs of shuffled batches (forward, loss, backward, step), running
// metrics, validation, learning-rate scheduling and callbacks — returning the History. It is short on
// purpose: the README shows the same loop written by hand.
import { DataLoader } from "../data/dataloader.js";
import { randomSplit } from "../data/dataset.js";
import { trainTestSplit } from "../data/preprocess.js";
import type { Module } from "../nn/module.js";
import type { Tensor } from "../tensor/tensor.js";
import type { Optimizer } from "../optim/optimizer.js";
import { ReduceLROnPlateau } from "../optim/reduce-lr-on-plateau.js";
import { check } from "../util/errors.js";
import { History, type Callback, type EpochLogs, type Scheduler, type TrainContext } from "./callback.js";
import {
  asDataset,
  asLoader,
  callLoss,
  evaluate,
  splitBatch,
  type LabelledData,
  type LossFunction,
} from "./evaluate.js";
import { createMetric, type Metric, type MetricSpec } from "./metrics.js";
import { ProgressLogger, type TextStream } from "./progress.js";

/** Options of fit(). */
export interface FitOptions {
  /** Training data: {x, y} tensors, a Dataset of [x, y] samples, or a DataLoader (then batchSize/seed are its own). */
  train: LabelledData;
  /** Validation data, evaluated after every epoch (eval mode, no gradients). */
  validation?: LabelledData;
  /** Or hold out this fraction of `train` (seeded by `seed`, default 0) as validation data. */
  validationSplit?: number;
  /** Prefix of the validation keys: "val" (default) logs val_loss, val_accuracy, … */
  validationName?: string;
  /** Epochs to train up to (an epoch index, counted from 0 across resumed runs). */
  epochs: number;
  /** The first epoch to run (default 0); resuming from a checkpoint passes its epoch. */
  initialEpoch?: number;
  /** Samples per batch (default 32). */
  batchSize?: number;
  /** Shuffle the training data every epoch (default true). */
  shuffle?: boolean;
  /**
   * Seed of the shuffles (epoch e's order depends only on seed and e) and of validationSplit. Without
   * it, shuffles draw from the global stream. Weight init and dropout use the global stream: seed it
   * with cr.manualSeed.
   */
  seed?: number;
  optimizer: Optimizer;
  loss: LossFunction;
  /** Metric names ("accuracy", "top5", "f1", "mse", "r2", …) or Metric objects, computed on train and validation data. */
  metrics?: MetricSpec[];
  callbacks?: Callback[];
  /** A scheduler stepped after every epoch (default) or batch; ReduceLROnPlateau gets `schedulerMonitor`. */
  scheduler?: Scheduler;
  schedulerInterval?: "epoch" | "batch";
  /** The logged value ReduceLROnPlateau watches (default: val_loss with validation data, else loss). */
  schedulerMonitor?: string;
  /** 0 silent, 1 (default) a live bar on a TTY and a line per epoch elsewhere, 2 a line per epoch. */
  verbose?: 0 | 1 | 2;
  /** Where progress goes (default process.stdout). */
  stream?: TextStream;
  /** A History to append to (a resumed run passes the one saved with its checkpoint). */
  history?: History;
}

function checkOptions(o: FitOptions): void {
  const int = (v: unknown, min: number): boolean => Number.isInteger(v) && (v as number) >= min;
  check(int(o.epochs, 1), "fit", () => `epochs must be a positive integer, got ${o.epochs}`);
  const first = o.initialEpoch ?? 0;
  check(
    int(first, 0) && first <= o.epochs,
    "fit",
    () => `initialEpoch must be in [0, ${o.epochs}], got ${first}`,
  );
  check(int(o.batchSize ?? 32, 1), "fit", () => `batchSize must be a positive integer, got ${o.batchSize}`);
  const f = o.validationSplit;
  check(f === undefined || (f > 0 && f < 1), "fit", () => `validationSplit must be in (0, 1), got ${f}`);
  check(
    f === undefined || o.validation === undefined,
    "fit",
    () => "give either validation data or validationSplit, not both",
  );
  check(o.optimizer && typeof o.optimizer.step === "function", "fit", () => "expected an optimizer");
  check(o.loss !== undefined, "fit", () => "expected a loss function or loss module");
}

/** The training and validation data after applying validationSplit. */
function splitData(o: FitOptions): { train: LabelledData; validation: LabelledData | undefined } {
  const f = o.validationSplit;
  if (f === undefined) return { train: o.train, validation: o.validation };
  check(
    !(o.train instanceof DataLoader),
    "fit",
    () => "validationSplit needs a Dataset or {x, y}, not a DataLoader",
  );
  if ("x" in o.train && "y" in o.train && !("get" in o.train)) {
    const s = trainTestSplit(o.train.x, o.train.y, { testSize: f, seed: o.seed ?? 0 });
    return { train: { x: s.xTrain, y: s.yTrain }, validation: { x: s.xTest, y: s.yTest } };
  }
  const ds = asDataset(o.train, "fit");
  const nVal = Math.ceil(f * ds.length);
  check(nVal < ds.length, "fit", () => `validationSplit ${f} leaves no training samples`);
  const [train, validation] = randomSplit(ds, [ds.length - nVal, nVal], { seed: o.seed ?? 0 });
  return { train, validation };
}

async function emit(callbacks: Callback[], fn: (c: Callback) => void | Promise<void>): Promise<void> {
  for (const c of callbacks) await fn(c);
}

/** Runs one epoch of training; returns the epoch's mean loss, metrics and sample count. */
async function trainEpoch(
  ctx: TrainContext,
  loader: DataLoader<unknown, Tensor[]>,
  o: FitOptions,
  metrics: Metric[],
  callbacks: Callback[],
): Promise<{ loss: number; samples: number }> {
  const { model, optimizer, scheduler } = ctx;
  model.train();
  metrics.forEach((m) => m.reset());
  let lossSum = 0;
  let samples = 0;
  let batch = 0;
  for await (const b of loader) {
    const [x, y] = splitBatch(b, "fit");
    optimizer.zeroGrad();
    const out = model.forward(x);
    const loss = callLoss(o.loss, out, y);
    loss.backward();
    optimizer.step();
    if (scheduler && o.schedulerInterval === "batch" && !(scheduler instanceof ReduceLROnPlateau))
      scheduler.step();
    ctx.step++;
    lossSum += loss.item() * x.shape[0];
    samples += x.shape[0];
    const detached = out.detach();
    for (const m of metrics) m.update(detached, y);
    const running = Object.fromEntries(metrics.map((m) => [m.name, m.compute()]));
    await emit(callbacks, (c) =>
      c.onBatchEnd?.({ batch: batch++, samples, loss: lossSum / samples, metrics: running }, ctx),
    );
  }
  return { loss: samples === 0 ? NaN : lossSum / samples, samples };
}

/** Steps an epoch-interval scheduler (ReduceLROnPlateau with the watched value) after an epoch. */
function stepScheduler(o: FitOptions, logs: EpochLogs, hasValidation: boolean): void {
  const s = o.scheduler;
  if (!s) return;
  if (s instanceof ReduceLROnPlateau) {
    const key = o.schedulerMonitor ?? (hasValidation ? `${o.validationName ?? "val"}_loss` : "loss");
    const value = logs[key];
    check(
      value !== undefined,
      "fit",
      () =>
        `ReduceLROnPlateau watches '${key}', which is not logged (logged: ${Object.keys(logs).join(", ")})`,
    );
    s.step(value);
  } else if ((o.schedulerInterval ?? "epoch") === "epoch") s.step();
}

/**
 * Trains `model` for `epochs` epochs and returns the per-epoch History. Each epoch shuffles the
 * training data (seeded by `seed`), runs forward → loss → backward → optimizer step per batch,
 * evaluates the validation data in eval mode without gradients, steps the scheduler, then calls the
 * callbacks' onEpochEnd (EarlyStopping, ModelCheckpoint, loggers). Progress goes to stdout (see
 * `verbose`). Training stops early when a callback sets `ctx.stopTraining`.
 *
 * @example
 * const history = await fit(model, {
 *   train: { x: xTrain, y: yTrain }, validationSplit: 0.1, epochs: 10, batchSize: 64,
 *   optimizer: new optim.Adam(model.parameters(), { lr: 1e-3 }), loss: new nn.CrossEntropyLoss(),
 *   metrics: ["accuracy"], callbacks: [new EarlyStopping({ patience: 3 })], seed: 0,
 * });
 */
export async function fit(model: Module, opts: FitOptions): Promise<History> {
  checkOptions(opts);
  const { train, validation } = splitData(opts);
  const loader = asLoader(train, "fit", {
    batchSize: opts.batchSize ?? 32,
    shuffle: opts.shuffle ?? true,
    seed: opts.seed,
  });
  const metrics = (opts.metrics ?? []).map(createMetric);
  const verbose = opts.verbose ?? 1;
  const callbacks = [
    ...(verbose > 0
      ? [new ProgressLogger({ stream: opts.stream, live: verbose === 1 ? "auto" : false })]
      : []),
    ...(opts.callbacks ?? []),
  ];
  const first = opts.initialEpoch ?? 0;
  const ctx: TrainContext = {
    model,
    optimizer: opts.optimizer,
    scheduler: opts.scheduler,
    epochs: opts.epochs,
    stepsPerEpoch: loader.length,
    samplesPerEpoch: loader.dataset.length,
    step: first * loader.length,
    history: opts.history ?? new History(),
    stopTraining: false,
  };
  if (loader.seed !== undefined) loader.setEpoch(first);
  const prefix = `${opts.validationName ?? "val"}_`;
  await emit(callbacks, (c) => c.onTrainBegin?.(ctx));
  for (let epoch = first; epoch < opts.epochs && !ctx.stopTraining; epoch++) {
    await emit(callbacks, (c) => c.onEpochBegin?.(epoch, ctx));
    const lr = opts.optimizer.paramGroups[0].lr;
    const t0 = performance.now();
    const { loss, samples } = await trainEpoch(ctx, loader, opts, metrics, callbacks);
    const time = (performance.now() - t0) / 1000;
    const logs: EpochLogs = { epoch: epoch + 1, loss };
    for (const m of metrics) logs[m.name] = m.compute();
    if (validation) {
      const v = evaluate(model, validation, {
        loss: opts.loss,
        metrics: opts.metrics,
        batchSize: opts.batchSize ?? 32,
      });
      for (const [k, value] of Object.entries(v)) logs[prefix + k] = value;
    }
    Object.assign(logs, { lr, time, samplesPerSec: samples / Math.max(time, 1e-9) });
    stepScheduler(opts, logs, validation !== undefined);
    ctx.history.epochs.push(logs);
    await emit(callbacks, (c) => c.onEpochEnd?.(epoch, logs, ctx));
  }
  await emit(callbacks, (c) => c.onTrainEnd?.(ctx));
  return ctx.history;
}
