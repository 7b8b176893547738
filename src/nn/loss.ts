// Loss modules: forward(input, target) over chainrule.nn.functional's losses with the options fixed at
// construction, and BlendedLoss, a weighted sum of named loss terms that reports each term.
import type { Tensor } from "../tensor/tensor.js";
import { check, fmtShape } from "../util/errors.js";
import * as F from "./functional/index.js";
import type { Reduction } from "./functional/index.js";
import { Module } from "./module.js";

abstract class ReducedLoss extends Module {
  readonly reduction: Reduction;
  constructor(opts: { reduction?: Reduction }) {
    super();
    this.reduction = opts.reduction ?? "mean";
  }
  abstract override forward(input: Tensor, target: Tensor): Tensor;
  override extraRepr(): string {
    return `reduction='${this.reduction}'`;
  }
}

/** Mean squared error `(input - target)²` (the Euclidean loss; sensitive to outliers). Shapes must match. */
export class MSELoss extends ReducedLoss {
  constructor(opts: { reduction?: Reduction } = {}) {
    super(opts);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.mseLoss(input, target, { reduction: this.reduction });
  }
}

/** Mean absolute error `|input - target|`. */
export class L1Loss extends ReducedLoss {
  constructor(opts: { reduction?: Reduction } = {}) {
    super(opts);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.l1Loss(input, target, { reduction: this.reduction });
  }
}

/** Smooth L1: `0.5·d²/beta` where |d| < beta, else `|d| - 0.5·beta` (default beta 1). */
export class SmoothL1Loss extends ReducedLoss {
  readonly beta: number;
  constructor(opts: { reduction?: Reduction; beta?: number } = {}) {
    super(opts);
    this.beta = opts.beta ?? 1;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

/** Huber: `0.5·d²` where |d| < delta, else `delta·(|d| - 0.5·delta)` (default delta 1). */
export class HuberLoss extends ReducedLoss {
  readonly delta: number;
  constructor(opts: { reduction?: Reduction; delta?: number } = {}) {
    super(opts);
    this.delta = opts.delta ?? 1;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}

/** Options of the class-index losses; `weight` [C] is kept as a buffer. */
export interface ClassLossOptions {
  weight?: Tensor | null;
  ignoreIndex?: number;
  reduction?: Reduction;
}

/** Negative log-likelihood of log-probabilities `[N, C, …]` at int32 class targets `[N, …]`. */
export class NLLLoss extends ReducedLoss {
  readonly ignoreIndex: number;
  weight: Tensor | null;
  constructor(opts: ClassLossOptions = {}) {
    super(opts);
    this.ignoreIndex = opts.ignoreIndex ?? -100;
    this.weight = this.registerBuffer("weight", opts.weight ?? null);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.nllLoss(input, target, {
      weight: this.weight,
      ignoreIndex: this.ignoreIndex,
      reduction: this.reduction,
    });
  }
}

/** Cross-entropy of logits `[N, C, …]` against int32 class targets (or class probabilities). */
export class CrossEntropyLoss extends NLLLoss {
  readonly labelSmoothing: number;
  constructor(opts: ClassLossOptions & { labelSmoothing?: number } = {}) {
    super(opts);
    this.labelSmoothing = opts.labelSmoothing ?? 0;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.crossEntropy(input, target, {
      weight: this.weight,
      ignoreIndex: this.ignoreIndex,
      reduction: this.reduction,
      labelSmoothing: this.labelSmoothing,
    });
  }
}

/** Binary cross-entropy on probabilities in [0, 1]; optional `weight` (a buffer) broadcasts to the input. */
export class BCELoss extends ReducedLoss {
  weight: Tensor | null;
  constructor(opts: { weight?: Tensor | null; reduction?: Reduction } = {}) {
    super(opts);
    this.weight = this.registerBuffer("weight", opts.weight ?? null);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

/** Binary cross-entropy on logits (stable for any logit); `posWeight` scales the positive term per class. */
export class BCEWithLogitsLoss extends ReducedLoss {
  weight: Tensor | null;
  posWeight: Tensor | null;
  constructor(opts: { weight?: Tensor | null; posWeight?: Tensor | null; reduction?: Reduction } = {}) {
    super(opts);
    this.weight = this.registerBuffer("weight", opts.weight ?? null);
    this.posWeight = this.registerBuffer("posWeight", opts.posWeight ?? null);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropyWithLogits(input, target, {
      weight: this.weight,
      posWeight: this.posWeight,
      reduction: this.reduction,
    });
  }
}

/**
 * KL divergence `Σ t·(ln t - input)` with `input` as log-probabilities (target as probabilities, or as
 * log-probabilities with `logTarget`). Use `reduction: 'batchmean'` for the true KL per sample.
 */
export class KLDivLoss extends Module {
  readonly reduction: Reduction | "batchmean";
  readonly logTarget: boolean;
  constructor(opts: { reduction?: Reduction | "batchmean"; logTarget?: boolean } = {}) {
    super();
    this.reduction = opts.reduction ?? "mean";
    this.logTarget = opts.logTarget ?? false;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.klDiv(input, target, { reduction: this.reduction, logTarget: this.logTarget });
  }
  override extraRepr(): string {
    return `reduction='${this.reduction}', logTarget=${this.logTarget}`;
  }
}

/** A loss as a function of (input, target) giving a one-element tensor. */
export type LossFn = (input: Tensor, target: Tensor) => Tensor;

/** One term of a BlendedLoss: a loss module or function and its weight (default 1). */
export interface BlendTerm {
  loss: Module | LossFn;
  weight?: number;
}

/**
 * A weighted blend of named costs, `L = Σ wₖ·Lₖ(input, target)` (e.g. α·MSE + β·KL). `forward` returns
 * the total; `lastTerms` holds each unweighted Lₖ of the last call, to watch which cost dominates
 * (scales differ, so weights usually need tuning). `weights` may be changed between steps (annealing).
 * Loss modules among the terms are registered as children under their names.
 *
 * @example
 * const loss = new nn.BlendedLoss({
 *   mse: { loss: new nn.MSELoss(), weight: 0.7 },
 *   kl: { loss: (p, t) => F.klDiv(p.logSoftmax(-1), t, { reduction: "batchmean" }), weight: 0.3 },
 * });
 */
export class BlendedLoss extends Module {
  readonly weights: Record<string, number> = {};
  /** Each term's unweighted value from the last forward. */
  lastTerms: Record<string, number> = {};
  readonly #terms: [string, LossFn][] = [];

  constructor(terms: Record<string, BlendTerm>) {
    super();
    const names = Object.keys(terms);
    check(names.length > 0, "BlendedLoss", () => "expected at least one term");
    for (const name of names) {
      const { loss, weight = 1 } = terms[name];
      check(Number.isFinite(weight), "BlendedLoss", () => `term '${name}' has weight ${weight}`);
      this.weights[name] = weight;
      if (loss instanceof Module) {
        this.registerModule(name, loss);
        this.#terms.push([name, (i, t) => loss.forward(i, t)]);
      } else this.#terms.push([name, loss]);
    }
  }

  forward(input: Tensor, target: Tensor): Tensor {
    const last: Record<string, number> = {};
    let total: Tensor | null = null;
    for (const [name, fn] of this.#terms) {
      const l = fn(input, target);
      check(
        l.numel === 1,
        "BlendedLoss",
        () => `term '${name}' must give one value (use a reducing loss), got shape ${fmtShape(l.shape)}`,
      );
      last[name] = l.item();
      const w = l.mul(this.weights[name]);
      total = total === null ? w : total.add(w);
    }
    this.lastTerms = last;
    return total!;
  }

  override extraRepr(): string {
    return Object.entries(this.weights)
      .map(([n, w]) => `${n}: ${w}`)
      .join(", ");
  }
}
