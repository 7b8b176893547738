// OneCycleLR (PyTorch's torch.optim.lr_scheduler.OneCycleLR): the 1cycle policy of Smith & Topin, a
// warm-up to maxLr and an anneal far below the start, with momentum (or Adam's beta1) cycled inversely.
import { check } from "../util/errors.js";
import { LRScheduler, type SchedulableOptimizer } from "./lr-scheduler.js";

/** OneCycleLR's options (PyTorch's defaults). */
export interface OneCycleOptions {
  /** Total number of steps; or give `epochs` and `stepsPerEpoch`. */
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  /** Fraction of the cycle spent increasing the rate (0.3). */
  pctStart?: number;
  /** "cos" (default) or "linear" interpolation within a phase. */
  annealStrategy?: "cos" | "linear";
  /** Cycle momentum (SGD, RMSprop) or beta1 (Adam) between maxMomentum and baseMomentum (true). */
  cycleMomentum?: boolean;
  baseMomentum?: number | number[];
  maxMomentum?: number | number[];
  /** initialLr = maxLr / divFactor (25). */
  divFactor?: number;
  /** minLr = initialLr / finalDivFactor (1e4). */
  finalDivFactor?: number;
  /** Three phases (up, back down to initialLr, then to minLr) instead of two (false). */
  threePhase?: boolean;
}

type Level = "initial" | "max" | "min";
type MomLevel = "max" | "base";
interface Phase {
  endStep: number;
  startLr: Level;
  endLr: Level;
  startMom: MomLevel;
  endMom: MomLevel;
}

const anneals = {
  cos: (start: number, end: number, pct: number): number =>
    end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1),
  linear: (start: number, end: number, pct: number): number => (end - start) * pct + start,
};

function perGroup(op: string, what: string, v: number | number[], n: number): number[] {
  const list = Array.isArray(v) ? [...v] : Array.from({ length: n }, () => v);
  check(
    list.length === n,
    op,
    () => `expected ${what} as one number or ${n} (one per group), got ${list.length}`,
  );
  return list;
}

function totalStepsOf(o: OneCycleOptions): number {
  const int = (v: number | undefined): boolean => v !== undefined && Number.isInteger(v) && v > 0;
  if (o.totalSteps !== undefined) {
    check(
      int(o.totalSteps),
      "OneCycleLR",
      () => `totalSteps must be a positive integer, got ${o.totalSteps}`,
    );
    return o.totalSteps;
  }
  check(
    int(o.epochs) && int(o.stepsPerEpoch),
    "OneCycleLR",
    () =>
      `give totalSteps, or epochs and stepsPerEpoch (positive integers); got ${o.epochs} and ${o.stepsPerEpoch}`,
  );
  return (o.epochs as number) * (o.stepsPerEpoch as number);
}

/**
 * The 1cycle learning-rate policy, stepped once per batch. The rate rises from `maxLr/divFactor` to
 * `maxLr` over the first `pctStart` of the steps, then anneals to `maxLr/(divFactor·finalDivFactor)`;
 * momentum (or beta1) moves the other way between `maxMomentum` and `baseMomentum`.
 *
 * @param optimizer the optimizer to schedule; with `cycleMomentum` its groups need `momentum` or `betas`.
 * @param maxLr the peak rate, one for all groups or one per group.
 * @param opts see OneCycleOptions; `totalSteps` (or `epochs` × `stepsPerEpoch`) is required.
 */
export class OneCycleLR extends LRScheduler {
  readonly totalSteps: number;
  private readonly levels: Record<Level, number[]>;
  private readonly moms: Record<MomLevel, number[]>;
  private readonly phases: Phase[];
  private readonly anneal: (start: number, end: number, pct: number) => number;
  private readonly cycleMomentum: boolean;
  private readonly useBeta1: boolean;

  constructor(optimizer: SchedulableOptimizer, maxLr: number | number[], opts: OneCycleOptions) {
    const n = optimizer.paramGroups.length;
    const max = perGroup("OneCycleLR", "maxLr", maxLr, n);
    const divFactor = opts.divFactor ?? 25;
    const initial = max.map((m) => m / divFactor);
    super(optimizer, initial);
    this.totalSteps = totalStepsOf(opts);
    const pct = opts.pctStart ?? 0.3;
    check(pct >= 0 && pct <= 1, "OneCycleLR", () => `pctStart must be in [0, 1], got ${pct}`);
    const strategy = opts.annealStrategy ?? "cos";
    check(
      strategy in anneals,
      "OneCycleLR",
      () => `annealStrategy must be 'cos' or 'linear', got '${strategy}'`,
    );
    this.anneal = anneals[strategy];
    this.levels = { initial, max, min: initial.map((i) => i / (opts.finalDivFactor ?? 1e4)) };
    this.phases = phasesOf(pct * this.totalSteps, this.totalSteps, opts.threePhase ?? false);
    this.cycleMomentum = opts.cycleMomentum ?? true;
    const first = optimizer.paramGroups[0] ?? {};
    this.useBeta1 = "betas" in first;
    check(
      !this.cycleMomentum || this.useBeta1 || "momentum" in first,
      "OneCycleLR",
      () => "the optimizer must have momentum or betas when cycleMomentum is true",
    );
    this.moms = {
      max: perGroup("OneCycleLR", "maxMomentum", opts.maxMomentum ?? 0.95, n),
      base: perGroup("OneCycleLR", "baseMomentum", opts.baseMomentum ?? 0.85, n),
    };
    this.initialStep();
  }

  protected computeLr(): number[] {
    const step = this.lastEpoch;
    check(
      step <= this.totalSteps,
      "OneCycleLR",
      () => `tried to step ${step} times; the specified number of total steps is ${this.totalSteps}`,
    );
    return this.optimizer.paramGroups.map((group, i) => {
      let start = 0;
      for (let k = 0; k < this.phases.length; k++) {
        const ph = this.phases[k];
        if (step <= ph.endStep || k === this.phases.length - 1) {
          const pct = (step - start) / (ph.endStep - start);
          if (this.cycleMomentum) {
            const m = this.anneal(this.moms[ph.startMom][i], this.moms[ph.endMom][i], pct);
            if (this.useBeta1) group.betas = [m, ...(group.betas ?? []).slice(1)];
            else group.momentum = m;
          }
          return this.anneal(this.levels[ph.startLr][i], this.levels[ph.endLr][i], pct);
        }
        start = ph.endStep;
      }
      return group.lr; // unreachable: the last phase always matches
    });
  }
}

function phasesOf(up: number, total: number, threePhase: boolean): Phase[] {
  if (threePhase)
    return [
      { endStep: up - 1, startLr: "initial", endLr: "max", startMom: "max", endMom: "base" },
      { endStep: 2 * up - 2, startLr: "max", endLr: "initial", startMom: "base", endMom: "max" },
      { endStep: total - 1, startLr: "initial", endLr: "min", startMom: "max", endMom: "max" },
    ];
  return [
    { endStep: up - 1, startLr: "initial", endLr: "max", startMom: "max", endMom: "base" },
    { endStep: total - 1, startLr: "max", endLr: "min", startMom: "base", endMom: "max" },
  ];
}
