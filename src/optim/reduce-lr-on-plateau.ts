// ReduceLROnPlateau (PyTorch's torch.optim.lr_scheduler.ReduceLROnPlateau): lowers the learning rates when
// a watched metric has stopped improving for `patience` epochs. Driven by step(metric), not by epochs.
import { Tensor } from "../tensor/tensor.js";
import { check } from "../util/errors.js";
import type { SchedulableOptimizer, SchedulerStateDict } from "./lr-scheduler.js";

/** ReduceLROnPlateau's options (PyTorch's defaults). */
export interface PlateauOptions {
  /** "min" (default): lower is better; "max": higher is better. */
  mode?: "min" | "max";
  /** Each reduction multiplies the rate by `factor` (< 1; default 0.1). */
  factor?: number;
  /** Epochs without improvement tolerated before reducing (10). */
  patience?: number;
  /** Least change that counts as an improvement (1e-4). */
  threshold?: number;
  /** "rel" (default): better than best·(1 ∓ threshold); "abs": better than best ∓ threshold. */
  thresholdMode?: "rel" | "abs";
  /** Epochs to wait after a reduction before counting bad epochs again (0). */
  cooldown?: number;
  /** The lowest rate, one for all groups or one per group (0). */
  minLr?: number | number[];
  /** A reduction smaller than eps is skipped (1e-8). */
  eps?: number;
}

/**
 * Reduces each group's rate to `max(lr·factor, minLr)` once the metric passed to step() has not improved
 * for more than `patience` consecutive epochs, then waits `cooldown` epochs before counting again.
 *
 * @param optimizer the optimizer whose groups' `lr` to reduce.
 * @param opts see PlateauOptions.
 *
 * @example
 * const sched = new ReduceLROnPlateau(opt, { patience: 2 }); // opt's lr is 0.1
 * for (const validationLoss of [1, 0.9, 0.95, 0.92, 0.91]) sched.step(validationLoss);
 * opt.paramGroups[0].lr // 0.1 × 0.1 = 0.010000000000000002 (3 epochs without improvement > patience)
 */
export class ReduceLROnPlateau {
  readonly mode: "min" | "max";
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: "rel" | "abs";
  readonly cooldown: number;
  readonly minLrs: number[];
  readonly eps: number;
  /** The best metric seen so far (±Infinity before the first step). */
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;
  private lastLr: number[];

  constructor(
    readonly optimizer: SchedulableOptimizer,
    opts: PlateauOptions = {},
  ) {
    const op = "ReduceLROnPlateau";
    this.mode = opts.mode ?? "min";
    this.factor = opts.factor ?? 0.1;
    this.patience = opts.patience ?? 10;
    this.threshold = opts.threshold ?? 1e-4;
    this.thresholdMode = opts.thresholdMode ?? "rel";
    this.cooldown = opts.cooldown ?? 0;
    this.eps = opts.eps ?? 1e-8;
    check(
      this.mode === "min" || this.mode === "max",
      op,
      () => `mode must be 'min' or 'max', got '${this.mode}'`,
    );
    check(
      this.thresholdMode === "rel" || this.thresholdMode === "abs",
      op,
      () => `thresholdMode must be 'rel' or 'abs', got '${this.thresholdMode}'`,
    );
    check(this.factor < 1 && this.factor >= 0, op, () => `factor must be in [0, 1), got ${this.factor}`);
    check(
      Number.isInteger(this.patience) && this.patience >= 0,
      op,
      () => `patience must be an integer >= 0, got ${this.patience}`,
    );
    check(
      Number.isInteger(this.cooldown) && this.cooldown >= 0,
      op,
      () => `cooldown must be an integer >= 0, got ${this.cooldown}`,
    );
    check(this.threshold >= 0, op, () => `threshold must be >= 0, got ${this.threshold}`);
    const n = optimizer.paramGroups.length;
    const minLr = opts.minLr ?? 0;
    this.minLrs = Array.isArray(minLr) ? [...minLr] : Array.from({ length: n }, () => minLr);
    check(
      this.minLrs.length === n,
      op,
      () => `expected minLr as one number or ${n} (one per group), got ${this.minLrs.length}`,
    );
    this.best = this.worst();
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  private worst(): number {
    return this.mode === "min" ? Infinity : -Infinity;
  }

  /** Whether `a` improves on the best metric by more than the threshold. */
  isBetter(a: number, best: number): boolean {
    const t = this.threshold;
    if (this.mode === "min") return this.thresholdMode === "rel" ? a < best * (1 - t) : a < best - t;
    return this.thresholdMode === "rel" ? a > best * (t + 1) : a > best + t;
  }

  /** Records one epoch's metric (a number or a one-element tensor) and reduces the rates if it has plateaued. */
  step(metric: number | Tensor): void {
    const current = metric instanceof Tensor ? metric.item() : metric;
    check(
      typeof current === "number",
      "ReduceLROnPlateau",
      () => `step expects a number metric, got ${typeof metric}`,
    );
    this.lastEpoch += 1;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else this.numBadEpochs += 1;
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.reduceLr();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  private reduceLr(): void {
    this.optimizer.paramGroups.forEach((g, i) => {
      const newLr = Math.max(g.lr * this.factor, this.minLrs[i]);
      if (g.lr - newLr > this.eps) g.lr = newLr;
    });
  }

  /** The groups' rates after the last step() (their rates at construction before any). */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** Progress as plain JSON (`best` is null while no metric has been seen). */
  stateDict(): SchedulerStateDict {
    return {
      lastEpoch: this.lastEpoch,
      best: Number.isFinite(this.best) ? this.best : null,
      numBadEpochs: this.numBadEpochs,
      cooldownCounter: this.cooldownCounter,
      lastLr: [...this.lastLr],
    };
  }

  /** Restores progress saved by stateDict(). */
  loadStateDict(sd: SchedulerStateDict): void {
    const int = (k: string): number => {
      const v = sd[k];
      check(
        Number.isInteger(v),
        "ReduceLROnPlateau",
        () => `state dict entry '${k}' must be an integer, got ${String(v)}`,
      );
      return v as number;
    };
    const best = sd.best;
    check(
      best === null || typeof best === "number",
      "ReduceLROnPlateau",
      () => "state dict entry 'best' must be a number or null",
    );
    const lastLr = sd.lastLr;
    check(Array.isArray(lastLr), "ReduceLROnPlateau", () => "state dict entry 'lastLr' must be an array");
    this.lastEpoch = int("lastEpoch");
    this.numBadEpochs = int("numBadEpochs");
    this.cooldownCounter = int("cooldownCounter");
    this.best = best ?? this.worst();
    this.lastLr = [...lastLr];
  }
}
