// The callbacks for fit(): EarlyStopping (stop when a logged value stops improving, optionally restoring
// the best weights) and ModelCheckpoint (io.saveCheckpoint after each epoch, or only on improvement).
// Loggers to files live in loggers.ts, the progress bar in progress.ts.
import { saveCheckpoint } from "../io/checkpoint.js";
import type { StateDict } from "../nn/module.js";
import { ChainruleError, check } from "../util/errors.js";
import type { Callback, EpochLogs, TrainContext } from "./callback.js";

/** "min": lower is better; "max": higher is better; "auto": max for accuracy-like keys, min otherwise. */
export type MonitorMode = "min" | "max" | "auto";

const HIGHER_IS_BETTER = /(^|_)(accuracy|top\d+|precision|recall|f1|r2)$/;

/** The direction in which `monitor` improves. */
export function resolveMode(monitor: string, mode: MonitorMode): "min" | "max" {
  check(
    ["min", "max", "auto"].includes(mode),
    "callbacks",
    () => `mode must be min, max or auto, got '${mode}'`,
  );
  if (mode !== "auto") return mode;
  return HIGHER_IS_BETTER.test(monitor) ? "max" : "min";
}

/** The monitored value from an epoch's logs, with an error listing what is logged if it is absent. */
function monitored(op: string, monitor: string, logs: EpochLogs): number {
  const v = logs[monitor];
  if (v === undefined)
    throw new ChainruleError(
      op,
      `monitors '${monitor}', which is not logged (logged: ${Object.keys(logs).join(", ")}); ` +
        `validation keys need validation data or validationSplit`,
    );
  return v;
}

/** Tracks the best value of a monitored key (improvement = better by more than minDelta). */
class Best {
  value: number;
  constructor(
    readonly mode: "min" | "max",
    readonly minDelta: number,
  ) {
    this.value = mode === "min" ? Infinity : -Infinity;
  }
  improves(v: number): boolean {
    return this.mode === "min" ? v < this.value - this.minDelta : v > this.value + this.minDelta;
  }
}

/** Options of EarlyStopping (Keras's names in camelCase). */
export interface EarlyStoppingOptions {
  /** The logged key to watch (default "val_loss"). */
  monitor?: string;
  /** Stop after this many epochs in a row without improvement (default 0: at the first such epoch). */
  patience?: number;
  /** The least change that counts as an improvement (default 0). */
  minDelta?: number;
  mode?: MonitorMode;
  /** At the end of training, load the weights of the best epoch (default false). */
  restoreBest?: boolean;
}

/**
 * Stops training once `monitor` has not improved by more than `minDelta` for `patience` epochs in a
 * row. With `restoreBest`, the model gets the weights of its best epoch back when training ends.
 * After the run, `stoppedEpoch` (0-based, −1 if it ran to the end) and `bestEpoch` tell what happened.
 */
export class EarlyStopping implements Callback {
  readonly monitor: string;
  readonly patience: number;
  readonly restoreBest: boolean;
  readonly #best: Best;
  #wait = 0;
  #weights: StateDict | null = null;
  stoppedEpoch = -1;
  bestEpoch = -1;

  constructor(opts: EarlyStoppingOptions = {}) {
    this.monitor = opts.monitor ?? "val_loss";
    this.patience = opts.patience ?? 0;
    const minDelta = opts.minDelta ?? 0;
    check(
      Number.isInteger(this.patience) && this.patience >= 0,
      "EarlyStopping",
      () => `patience must be an integer ≥ 0, got ${this.patience}`,
    );
    check(minDelta >= 0, "EarlyStopping", () => `minDelta must be ≥ 0, got ${minDelta}`);
    this.#best = new Best(resolveMode(this.monitor, opts.mode ?? "auto"), minDelta);
    this.restoreBest = opts.restoreBest ?? false;
  }

  /** The best monitored value so far. */
  get best(): number {
    return this.#best.value;
  }

  onTrainBegin(): void {
    this.#wait = 0;
    this.stoppedEpoch = -1;
  }

  onEpochEnd(epoch: number, logs: EpochLogs, ctx: TrainContext): void {
    const v = monitored("EarlyStopping", this.monitor, logs);
    if (this.#best.improves(v)) {
      this.#best.value = v;
      this.bestEpoch = epoch;
      this.#wait = 0;
      if (this.restoreBest)
        this.#weights = Object.fromEntries(
          Object.entries(ctx.model.stateDict()).map(([k, t]) => [k, t.clone()]),
        );
      return;
    }
    // Keras's rule: stop after `patience` epochs without improvement (at the first one for patience 0).
    if (++this.#wait >= this.patience) {
      this.stoppedEpoch = epoch;
      ctx.stopTraining = true;
    }
  }

  onTrainEnd(ctx: TrainContext): void {
    if (this.restoreBest && this.#weights) ctx.model.loadStateDict(this.#weights);
  }
}

/** Options of ModelCheckpoint. */
export interface ModelCheckpointOptions {
  /** The file to write; "{epoch}" in it is replaced by the number of completed epochs. */
  path: string;
  /** With saveBestOnly: the key to watch (default "val_loss"). */
  monitor?: string;
  mode?: MonitorMode;
  /** Write only when `monitor` improves (default false: after every epoch). */
  saveBestOnly?: boolean;
  /** JSON-able data stored with the checkpoint (e.g. the model's architecture), or a function making it. */
  extra?: Record<string, unknown> | (() => Record<string, unknown>);
}

/**
 * Writes a checkpoint (io.saveCheckpoint: model, optimizer, scheduler, RNG state, epoch, step, and
 * `extra` plus the history so far under extra.history) after every epoch, or only when `monitor`
 * improves. The write is atomic; the file is written after the epoch's scheduler step, so training
 * resumed from it continues exactly as the uninterrupted run.
 */
export class ModelCheckpoint implements Callback {
  readonly path: string;
  readonly monitor: string;
  readonly saveBestOnly: boolean;
  readonly #best: Best;
  readonly #extra: ModelCheckpointOptions["extra"];
  /** The file written last (null before the first write). */
  lastPath: string | null = null;

  constructor(opts: ModelCheckpointOptions) {
    check(typeof opts?.path === "string" && opts.path !== "", "ModelCheckpoint", () => "expected a path");
    this.path = opts.path;
    this.monitor = opts.monitor ?? "val_loss";
    this.saveBestOnly = opts.saveBestOnly ?? false;
    this.#best = new Best(resolveMode(this.monitor, opts.mode ?? "auto"), 0);
    this.#extra = opts.extra;
  }

  /** The best monitored value written so far (saveBestOnly). */
  get best(): number {
    return this.#best.value;
  }

  onEpochEnd(epoch: number, logs: EpochLogs, ctx: TrainContext): void {
    if (this.saveBestOnly) {
      const v = monitored("ModelCheckpoint", this.monitor, logs);
      if (!this.#best.improves(v)) return;
      this.#best.value = v;
    }
    const extra = typeof this.#extra === "function" ? this.#extra() : (this.#extra ?? {});
    const path = this.path.replaceAll("{epoch}", String(epoch + 1));
    saveCheckpoint(path, {
      model: ctx.model,
      optimizer: ctx.optimizer,
      scheduler: ctx.scheduler,
      epoch: epoch + 1,
      step: ctx.step,
      extra: { ...extra, history: ctx.history.toJSON() },
    });
    this.lastPath = path;
  }
}
