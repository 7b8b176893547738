// What fit() shares with its callbacks: the Callback hooks, the context they see (and may stop
// training through), per-epoch logs and the History they add up to. The callbacks live in callbacks.ts.
import type { Module } from "../nn/module.js";
import type { Optimizer } from "../optim/optimizer.js";
import type { LRScheduler } from "../optim/lr-scheduler.js";
import type { ReduceLROnPlateau } from "../optim/reduce-lr-on-plateau.js";

/** A learning-rate scheduler fit() can step: an epoch-indexed one, OneCycleLR, or ReduceLROnPlateau. */
export type Scheduler = LRScheduler | ReduceLROnPlateau;

/**
 * One epoch's record: `epoch` (1-based: epochs completed), `loss` and each metric on the training
 * batches, `val_loss` and `val_<metric>` on the validation data (the prefix is fit's validationName),
 * `lr` (the first group's rate as the epoch began), `time` (seconds of training) and `samplesPerSec`.
 */
export type EpochLogs = Record<string, number>;

/** Running values after one batch: the epoch's mean loss and metrics so far, samples seen, batch index. */
export interface BatchLogs {
  batch: number;
  samples: number;
  loss: number;
  metrics: Record<string, number>;
}

/** The per-epoch logs of a fit() run, and columns of them by key. */
export class History {
  readonly epochs: EpochLogs[] = [];

  constructor(epochs: readonly EpochLogs[] = []) {
    this.epochs.push(...epochs.map((e) => ({ ...e })));
  }

  /** Every value logged under `key`, one per epoch (NaN where an epoch lacks it). */
  get(key: string): number[] {
    return this.epochs.map((e) => e[key] ?? NaN);
  }

  /** The keys logged so far, in first-seen order. */
  keys(): string[] {
    return [...new Set(this.epochs.flatMap((e) => Object.keys(e)))];
  }

  /** The last epoch's logs (undefined before any). */
  last(): EpochLogs | undefined {
    return this.epochs.at(-1);
  }

  toJSON(): EpochLogs[] {
    return this.epochs;
  }
}

/** What callbacks see: the objects being trained, the progress, and a flag to stop after this epoch. */
export interface TrainContext {
  readonly model: Module;
  readonly optimizer: Optimizer;
  readonly scheduler: Scheduler | undefined;
  /** Total epochs of the run (the last epoch index is epochs − 1). */
  readonly epochs: number;
  readonly stepsPerEpoch: number;
  readonly samplesPerEpoch: number;
  /** Optimizer steps taken so far, over the whole run (resumed runs continue the count). */
  step: number;
  readonly history: History;
  /** Set to true (EarlyStopping does) to end training after the current epoch. */
  stopTraining: boolean;
}

/**
 * Hooks into fit()'s loop (Keras's callbacks); each may be async. Epoch indices are 0-based; the
 * logs' `epoch` entry counts completed epochs. onEpochEnd runs after validation and the scheduler's
 * step, so a checkpoint written there resumes exactly.
 */
export interface Callback {
  onTrainBegin?(ctx: TrainContext): void | Promise<void>;
  onEpochBegin?(epoch: number, ctx: TrainContext): void | Promise<void>;
  onBatchEnd?(logs: BatchLogs, ctx: TrainContext): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: EpochLogs, ctx: TrainContext): void | Promise<void>;
  onTrainEnd?(ctx: TrainContext): void | Promise<void>;
}
