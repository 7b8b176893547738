// Learning-rate schedulers (PyTorch's torch.optim.lr_scheduler): the LRScheduler base and the epoch-indexed
// schedules StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LinearLR and LambdaLR. OneCycleLR and
// ReduceLROnPlateau live in one-cycle-lr.ts and reduce-lr-on-plateau.ts.
import { check } from "../util/errors.js";

/** The part of a parameter group a scheduler reads and writes. */
export interface SchedulableGroup {
  lr: number;
  momentum?: number;
  betas?: readonly number[];
}

/** Anything with parameter groups holding an `lr`: every Optimizer. */
export interface SchedulableOptimizer {
  readonly paramGroups: readonly SchedulableGroup[];
}

/** A scheduler's state dict: plain JSON. */
export type SchedulerStateDict = Record<string, number | number[] | null>;

/**
 * The base of the epoch-indexed schedulers. Creating one sets each group's `lr` to its epoch-0 value;
 * each `step()` (called after `optimizer.step()`, usually once per epoch) moves to the next epoch.
 * The rates follow PyTorch's chainable (recursive) formulas, so the values match PyTorch's.
 */
export abstract class LRScheduler {
  /** The learning rate of each group when the scheduler was created. */
  baseLrs: number[];
  /** The index of the current epoch (0 after construction). */
  lastEpoch = -1;
  /** How many times step() has run, including the one in the constructor. */
  protected stepCount = 0;
  protected lastLr: number[] = [];

  /**
   * @param optimizer the optimizer whose groups' `lr` this scheduler sets.
   * @param baseLrs the rates the schedule starts from (default: each group's current `lr`).
   */
  constructor(
    readonly optimizer: SchedulableOptimizer,
    baseLrs?: number[],
  ) {
    check(
      optimizer !== null && typeof optimizer === "object" && Array.isArray(optimizer.paramGroups),
      new.target.name,
      () => "expected an optimizer (an object with paramGroups)",
    );
    this.baseLrs = baseLrs ?? optimizer.paramGroups.map((g) => g.lr);
  }

  /** The learning rate of every group for epoch `lastEpoch` (the group's current `lr` is the previous one). */
  protected abstract computeLr(): number[];

  /** Sets the epoch-0 rates; each subclass constructor ends with it, once its own fields are set. */
  protected initialStep(): void {
    this.step();
  }

  /** Advances one epoch and writes the new rates into the optimizer's groups. */
  step(): void {
    this.stepCount += 1;
    this.lastEpoch += 1;
    const lrs = this.computeLr();
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = lrs[i]));
    this.lastLr = [...lrs];
  }

  /** The rates the last step() set, one per parameter group. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** The scheduler's progress as plain JSON (hyper-parameters come from the constructor, as in PyTorch's use). */
  stateDict(): SchedulerStateDict {
    return {
      lastEpoch: this.lastEpoch,
      stepCount: this.stepCount,
      baseLrs: [...this.baseLrs],
      lastLr: [...this.lastLr],
    };
  }

  /** Restores progress saved by stateDict(); load the optimizer's state dict too, for its current rates. */
  loadStateDict(sd: SchedulerStateDict): void {
    const name = this.constructor.name;
    const n = this.optimizer.paramGroups.length;
    const numbers = (k: string): number[] => {
      const v = sd[k];
      check(
        Array.isArray(v) && v.length === n,
        name,
        () => `state dict entry '${k}' must list ${n} numbers, got ${JSON.stringify(v)}`,
      );
      return [...v];
    };
    const int = (k: string): number => {
      const v = sd[k];
      check(Number.isInteger(v), name, () => `state dict entry '${k}' must be an integer, got ${String(v)}`);
      return v as number;
    };
    this.lastEpoch = int("lastEpoch");
    this.stepCount = int("stepCount");
    this.baseLrs = numbers("baseLrs");
    this.lastLr = numbers("lastLr");
  }

  /** Each group's current learning rate. */
  protected groupLrs(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }
}

function checkPositiveInt(op: string, what: string, v: number): void {
  check(Number.isInteger(v) && v > 0, op, () => `${what} must be a positive integer, got ${v}`);
}

function checkGamma(op: string, gamma: number): void {
  check(
    typeof gamma === "number" && gamma >= 0 && Number.isFinite(gamma),
    op,
    () => `invalid gamma: ${gamma}`,
  );
}

/** Python's `%`: the result takes the divisor's sign. */
const pyMod = (a: number, m: number): number => ((a % m) + m) % m;

/**
 * Multiplies each group's rate by `gamma` every `stepSize` epochs: `lr = baseLr · gamma^⌊epoch/stepSize⌋`.
 *
 * @param optimizer the optimizer to schedule.
 * @param stepSize epochs between decays (a positive integer).
 * @param opts `gamma` = 0.1.
 */
export class StepLR extends LRScheduler {
  readonly gamma: number;
  constructor(
    optimizer: SchedulableOptimizer,
    readonly stepSize: number,
    { gamma = 0.1 }: { gamma?: number } = {},
  ) {
    super(optimizer);
    checkPositiveInt("StepLR", "stepSize", stepSize);
    checkGamma("StepLR", gamma);
    this.gamma = gamma;
    this.initialStep();
  }
  protected computeLr(): number[] {
    const decay = this.lastEpoch !== 0 && this.lastEpoch % this.stepSize === 0;
    return this.groupLrs().map((lr) => (decay ? lr * this.gamma : lr));
  }
}

/**
 * Multiplies each group's rate by `gamma` at each milestone epoch (a milestone listed k times multiplies
 * by gamma^k): `lr = baseLr · gamma^(number of milestones ≤ epoch)`.
 *
 * @param optimizer the optimizer to schedule.
 * @param milestones epoch indices (non-negative integers).
 * @param opts `gamma` = 0.1.
 */
export class MultiStepLR extends LRScheduler {
  readonly gamma: number;
  private readonly counts = new Map<number, number>();
  constructor(
    optimizer: SchedulableOptimizer,
    milestones: readonly number[],
    { gamma = 0.1 }: { gamma?: number } = {},
  ) {
    super(optimizer);
    check(Array.isArray(milestones), "MultiStepLR", () => "milestones must be an array of epoch indices");
    for (const m of milestones) {
      check(Number.isInteger(m) && m >= 0, "MultiStepLR", () => `milestones must be integers >= 0, got ${m}`);
      this.counts.set(m, (this.counts.get(m) ?? 0) + 1);
    }
    checkGamma("MultiStepLR", gamma);
    this.gamma = gamma;
    this.initialStep();
  }
  protected computeLr(): number[] {
    const k = this.counts.get(this.lastEpoch);
    return this.groupLrs().map((lr) => (k === undefined ? lr : lr * this.gamma ** k));
  }
}

/**
 * Multiplies each group's rate by `gamma` every epoch: `lr = baseLr · gamma^epoch`.
 *
 * @param optimizer the optimizer to schedule.
 * @param gamma the decay per epoch.
 */
export class ExponentialLR extends LRScheduler {
  constructor(
    optimizer: SchedulableOptimizer,
    readonly gamma: number,
  ) {
    super(optimizer);
    checkGamma("ExponentialLR", gamma);
    this.initialStep();
  }
  protected computeLr(): number[] {
    return this.groupLrs().map((lr) => (this.lastEpoch === 0 ? lr : lr * this.gamma));
  }
}

/**
 * Cosine annealing (SGDR without restarts): `lr = etaMin + (baseLr − etaMin)·(1 + cos(π·epoch/tMax))/2`,
 * computed with PyTorch's recursive form (past `tMax` the rate rises again along the cosine).
 *
 * @param optimizer the optimizer to schedule.
 * @param tMax the half period in epochs (a positive integer).
 * @param opts `etaMin` = 0, the lowest rate.
 */
export class CosineAnnealingLR extends LRScheduler {
  readonly etaMin: number;
  constructor(
    optimizer: SchedulableOptimizer,
    readonly tMax: number,
    { etaMin = 0 }: { etaMin?: number } = {},
  ) {
    super(optimizer);
    checkPositiveInt("CosineAnnealingLR", "tMax", tMax);
    check(
      Number.isFinite(etaMin),
      "CosineAnnealingLR",
      () => `etaMin must be a finite number, got ${etaMin}`,
    );
    this.etaMin = etaMin;
    this.initialStep();
  }
  protected computeLr(): number[] {
    const { lastEpoch: e, tMax: T, etaMin } = this;
    const lrs = this.groupLrs();
    if (e === 0) return lrs;
    if (pyMod(e - 1 - T, 2 * T) === 0)
      return lrs.map((lr, i) => lr + ((this.baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / T))) / 2);
    const ratio = (1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T));
    return lrs.map((lr) => ratio * (lr - etaMin) + etaMin);
  }
}

/**
 * Linear warm-up (or decay): the rate factor goes from `startFactor` to `endFactor` over `totalIters`
 * epochs, then stays: `lr = baseLr · (startFactor + (endFactor − startFactor)·min(epoch, totalIters)/totalIters)`.
 *
 * @param optimizer the optimizer to schedule.
 * @param opts `startFactor` = 1/3 (in (0, 1]), `endFactor` = 1 (in [0, 1]), `totalIters` = 5.
 */
export class LinearLR extends LRScheduler {
  readonly startFactor: number;
  readonly endFactor: number;
  readonly totalIters: number;
  constructor(
    optimizer: SchedulableOptimizer,
    {
      startFactor = 1 / 3,
      endFactor = 1,
      totalIters = 5,
    }: { startFactor?: number; endFactor?: number; totalIters?: number } = {},
  ) {
    super(optimizer);
    check(
      startFactor > 0 && startFactor <= 1,
      "LinearLR",
      () => `startFactor must be in (0, 1], got ${startFactor}`,
    );
    check(
      endFactor >= 0 && endFactor <= 1,
      "LinearLR",
      () => `endFactor must be in [0, 1], got ${endFactor}`,
    );
    check(
      Number.isInteger(totalIters) && totalIters >= 0,
      "LinearLR",
      () => `totalIters must be an integer >= 0, got ${totalIters}`,
    );
    this.startFactor = startFactor;
    this.endFactor = endFactor;
    this.totalIters = totalIters;
    this.initialStep();
  }
  protected computeLr(): number[] {
    const { lastEpoch: e, startFactor: s, endFactor: f, totalIters: n } = this;
    const lrs = this.groupLrs();
    if (e === 0) return lrs.map((lr) => lr * s);
    if (e > n) return lrs;
    return lrs.map((lr) => lr * (1 + (f - s) / (n * s + (e - 1) * (f - s))));
  }
}

/**
 * Each group's rate is its base rate times a function of the epoch: `lr = baseLr · lrLambda(epoch)`.
 *
 * @param optimizer the optimizer to schedule.
 * @param lrLambda one function for every group, or one per group.
 */
export class LambdaLR extends LRScheduler {
  private readonly lambdas: ((epoch: number) => number)[];
  constructor(
    optimizer: SchedulableOptimizer,
    lrLambda: ((epoch: number) => number) | ((epoch: number) => number)[],
  ) {
    super(optimizer);
    const n = optimizer.paramGroups.length;
    this.lambdas = Array.isArray(lrLambda) ? [...lrLambda] : Array.from({ length: n }, () => lrLambda);
    check(
      this.lambdas.length === n && this.lambdas.every((f) => typeof f === "function"),
      "LambdaLR",
      () => `expected one function or ${n} (one per parameter group), got ${this.lambdas.length}`,
    );
    this.initialStep();
  }
  protected computeLr(): number[] {
    return this.baseLrs.map((base, i) => base * this.lambdas[i](this.lastEpoch));
  }
}
