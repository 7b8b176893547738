// Classification losses over a class dim (dim 1, or dim 0 for an unbatched input): crossEntropy with
// class-index or probability targets, and nllLoss. Compositions of logSoftmax, gather and sums.
import { isFloat } from "../../tensor/dtype.js";
import type { Tensor } from "../../tensor/tensor.js";
import { check, fmtShape } from "../../util/errors.js";
import { sameShape } from "../../util/shape.js";
import {
  add,
  cast,
  div,
  gather,
  indexSelect,
  logSoftmax,
  mul,
  ne,
  neg,
  reshape,
  squeeze,
  sum,
  unsqueeze,
  where,
} from "../../ops/index.js";
import { checkReduction, reduce, type Reduction } from "./reduction.js";

export interface NllLossOptions {
  /** A constant rescaling weight per class, shape [C]. */
  weight?: Tensor | null;
  /** Targets equal to this value contribute neither loss nor gradient (default -100). */
  ignoreIndex?: number;
  /** 'mean' (default) divides by the summed weights of the non-ignored targets; 'sum'; 'none'. */
  reduction?: Reduction;
}

export interface CrossEntropyOptions extends NllLossOptions {
  /** ε in [0, 1]: the target becomes (1-ε)·onehot + ε/C (default 0). */
  labelSmoothing?: number;
}

/** Batched views of input and target ([N, C, d…] and [N, d…]), with targets checked against C. */
function classLayout(
  op: string,
  input: Tensor,
  target: Tensor,
  ignoreIndex: number,
): { x: Tensor; t: Tensor; classes: number; unbatched: boolean } {
  check(isFloat(input.dtype), op, () => `input must be floating-point, got ${input.dtype}`);
  check(input.ndim >= 1, op, () => `input must have a class dim, got shape ${fmtShape(input.shape)}`);
  check(target.dtype === "int32", op, () => `class-index target must be int32, got ${target.dtype}`);
  const unbatched = input.ndim === 1;
  const expected = input.shape.filter((_, i) => i !== (unbatched ? 0 : 1));
  check(
    sameShape(target.shape, expected),
    op,
    () =>
      `target shape ${fmtShape(target.shape)} does not fit input shape ${fmtShape(input.shape)}: expected ${fmtShape(expected)}`,
  );
  const classes = unbatched ? input.shape[0] : input.shape[1];
  const data = target.toTypedArray();
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    check(
      v === ignoreIndex || (v >= 0 && v < classes),
      op,
      () => `target ${v} is out of bounds for ${classes} classes`,
    );
  }
  const x = unbatched ? unsqueeze(input, 0) : input;
  return { x, t: unbatched ? reshape(target, [1]) : target, classes, unbatched };
}

function checkClassWeight(op: string, weight: Tensor, classes: number): void {
  check(
    weight.ndim === 1 && weight.shape[0] === classes,
    op,
    () => `weight must have shape [${classes}] (one per class), got ${fmtShape(weight.shape)}`,
  );
}

/** Weight shaped to broadcast along the class dim of a rank-`rank` input. */
const alongClassDim = (weight: Tensor, rank: number, classDim: number): Tensor =>
  reshape(
    weight,
    Array.from({ length: rank }, (_, i) => (i === classDim ? weight.numel : 1)),
  );

/**
 * Per-sample `-w[t]·lp[n, t]` (0 where ignored), and the per-sample weights `w[t]` that 'mean'
 * divides by (0 where ignored).
 */
function pickTargets(
  lp: Tensor,
  t: Tensor,
  weight: Tensor | null,
  ignoreIndex: number,
): { nll: Tensor; w: Tensor; valid: Tensor } {
  const valid = ne(t, ignoreIndex);
  const safe = where(valid, t, 0);
  const picked = squeeze(gather(lp, 1, unsqueeze(safe, 1)), 1);
  const wt = weight ? reshape(indexSelect(weight, 0, reshape(safe, [-1])), safe.shape) : 1;
  const w = mul(cast(valid, lp.dtype), wt);
  return { nll: neg(mul(picked, w)), w, valid };
}

function finish(loss: Tensor, w: Tensor, reduction: Reduction, unbatched: boolean): Tensor {
  if (reduction === "mean") return div(sum(loss), sum(w));
  if (reduction === "sum") return sum(loss);
  return unbatched ? reshape(loss, []) : loss;
}

/**
 * Negative log-likelihood on log-probabilities: `l_n = -w[t_n]·input[n, t_n]`, 0 where
 * t_n = ignoreIndex; 'mean' divides by Σ w[t_n] over the non-ignored samples.
 * @param input log-probabilities [N, C], [N, C, d1, …] or unbatched [C]
 * @param target int32 class indices [N], [N, d1, …] or []
 */
export function nllLoss(input: Tensor, target: Tensor, opts: NllLossOptions = {}): Tensor {
  const op = "nllLoss";
  const { weight = null, ignoreIndex = -100 } = opts;
  const reduction = checkReduction(op, opts.reduction);
  const { x, t, classes, unbatched } = classLayout(op, input, target, ignoreIndex);
  if (weight) checkClassWeight(op, weight, classes);
  const { nll, w } = pickTargets(x, t, weight, ignoreIndex);
  return finish(nll, w, reduction, unbatched);
}

/**
 * Cross-entropy of logits against class indices (int32 target) or class probabilities (float target).
 * With `lp = logSoftmax(input, classDim)` and ε = labelSmoothing:
 * - indices: `l_n = (1-ε)·(-w[t_n]·lp[n, t_n]) + (ε/C)·(-Σ_c w[c]·lp[n, c])`, 0 where t_n = ignoreIndex;
 *   'mean' divides by Σ w[t_n] over the non-ignored samples.
 * - probabilities: `l_n = -Σ_c w[c]·t'[n, c]·lp[n, c]` with `t' = (1-ε)·t + ε/C`; 'mean' divides by the
 *   number of samples; ignoreIndex does not apply.
 * Stable for logits of any magnitude.
 * @param input logits [N, C], [N, C, d1, …] or unbatched [C]
 * @param target int32 [N] / [N, d1, …] / [], or float of input's shape
 */
export function crossEntropy(input: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  const op = "crossEntropy";
  const { weight = null, ignoreIndex = -100, labelSmoothing: eps = 0 } = opts;
  const reduction = checkReduction(op, opts.reduction);
  check(eps >= 0 && eps <= 1, op, () => `labelSmoothing must lie in [0, 1], got ${eps}`);
  if (isFloat(target.dtype)) return probsCrossEntropy(input, target, weight, eps, reduction);
  check(
    target.dtype === "int32",
    op,
    () => `target must be int32 class indices or float probabilities, got ${target.dtype}`,
  );
  const { x, t, classes, unbatched } = classLayout(op, input, target, ignoreIndex);
  if (weight) checkClassWeight(op, weight, classes);
  const lp = logSoftmax(x, 1);
  const { nll, w, valid } = pickTargets(lp, t, weight, ignoreIndex);
  if (eps === 0) return finish(nll, w, reduction, unbatched);
  const weighted = weight ? mul(lp, alongClassDim(weight, lp.ndim, 1)) : lp;
  const smooth = where(valid, neg(sum(weighted, 1)), 0);
  return finish(add(mul(nll, 1 - eps), mul(smooth, eps / classes)), w, reduction, unbatched);
}

function probsCrossEntropy(
  input: Tensor,
  target: Tensor,
  weight: Tensor | null,
  eps: number,
  reduction: Reduction,
): Tensor {
  const op = "crossEntropy";
  check(isFloat(input.dtype), op, () => `input must be floating-point, got ${input.dtype}`);
  check(
    input.ndim >= 1 && sameShape(input.shape, target.shape),
    op,
    () =>
      `probability target shape ${fmtShape(target.shape)} must equal input shape ${fmtShape(input.shape)}`,
  );
  const classDim = input.ndim === 1 ? 0 : 1;
  const classes = input.shape[classDim];
  if (weight) checkClassWeight(op, weight, classes);
  const lp = logSoftmax(input, classDim);
  const t = eps > 0 ? add(mul(target, 1 - eps), eps / classes) : target;
  const prod = mul(lp, t);
  const weighted = weight ? mul(prod, alongClassDim(weight, input.ndim, classDim)) : prod;
  return reduce(neg(sum(weighted, classDim)), reduction);
}
