// Activation functions of chainrule.nn.functional, each a composition of core ops (no backward code).
// Kinks follow PyTorch's subgradient choices (golden SPEC §4); `where` picks branches so that the unused
// branch never sees an input that would make its gradient 0·∞ = NaN.
import type { Tensor } from "../../tensor/tensor.js";
import { check, fmtShape } from "../../util/errors.js";
import {
  abs,
  add,
  erf,
  exp,
  expm1,
  ge,
  gt,
  le,
  log1p,
  minimum,
  mul,
  neg,
  reshape,
  sub,
  tanh,
  where,
  sigmoid,
  softplus,
} from "../../ops/index.js";

export { relu, sigmoid, tanh, softplus, softmax, logSoftmax } from "../../ops/index.js";

/**
 * LeakyReLU: `x` where x > 0, else `negativeSlope·x`. The gradient at 0 is `negativeSlope`.
 * @param x any shape
 * @param opts.negativeSlope slope for x ≤ 0 (default 0.01)
 */
export function leakyRelu(x: Tensor, opts: { negativeSlope?: number } = {}): Tensor {
  const { negativeSlope = 0.01 } = opts;
  return where(gt(x, 0), x, mul(x, negativeSlope));
}

/**
 * PReLU: `x` where x > 0, else `w·x`, with a learnable slope `w`.
 * @param x input; its channels lie along dim 1 (a tensor with fewer than 2 dims has one channel)
 * @param weight 1 element (shared) or C = x.shape[1] elements (one slope per channel)
 */
export function prelu(x: Tensor, weight: Tensor): Tensor {
  const channels = x.ndim >= 2 ? x.shape[1] : 1;
  check(
    weight.numel === 1 || (weight.ndim === 1 && weight.numel === channels),
    "prelu",
    () =>
      `weight must have 1 element or one per channel (${channels} for input ${fmtShape(x.shape)}), got shape ${fmtShape(weight.shape)}`,
  );
  const w =
    weight.numel === 1
      ? reshape(weight, [])
      : reshape(
          weight,
          x.shape.map((n, i) => (i === 1 ? n : 1)),
        );
  return where(gt(x, 0), x, mul(w, x));
}

/**
 * ELU: `x` where x > 0, else `alpha·(eˣ - 1)`. The gradient at 0 is `alpha`.
 * @param opts.alpha scale of the negative part (default 1)
 */
export function elu(x: Tensor, opts: { alpha?: number } = {}): Tensor {
  const { alpha = 1 } = opts;
  const pos = gt(x, 0);
  // eˣ of a large positive x would overflow and turn the masked-out gradient into 0·∞
  const neg = mul(expm1(where(pos, 0, x)), alpha);
  return where(pos, x, neg);
}

const SQRT_HALF = Math.SQRT1_2;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * GELU: `x·Φ(x) = 0.5·x·(1 + erf(x/√2))` (exact), or with `approximate: 'tanh'`
 * `0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))`.
 */
export function gelu(x: Tensor, opts: { approximate?: "none" | "tanh" } = {}): Tensor {
  const { approximate = "none" } = opts;
  check(
    approximate === "none" || approximate === "tanh",
    "gelu",
    () => `approximate must be 'none' or 'tanh', got '${String(approximate)}'`,
  );
  const inner =
    approximate === "none"
      ? erf(mul(x, SQRT_HALF))
      : tanh(mul(add(x, mul(mul(mul(x, x), x), 0.044715)), SQRT_2_OVER_PI));
  return mul(mul(x, 0.5), add(inner, 1));
}

/** SiLU (swish): `x·σ(x)`. */
export const silu = (x: Tensor): Tensor => mul(x, sigmoid(x));

/** Mish: `x·tanh(softplus(x))`. */
export const mish = (x: Tensor): Tensor => mul(x, tanh(softplus(x)));

/** log σ(x), stable for any x: `min(x, 0) - log1p(e^-|x|)` (logsigmoid(-1000) = -1000). */
export const logsigmoid = (x: Tensor): Tensor => sub(minimum(x, 0), log1p(exp(neg(abs(x)))));

/**
 * HardTanh: `clamp(x, minVal, maxVal)`, but the gradient is 1 only strictly inside (minVal, maxVal)
 * and 0 at the bounds (unlike clamp, which passes it there).
 */
export function hardtanh(x: Tensor, opts: { minVal?: number; maxVal?: number } = {}): Tensor {
  const { minVal = -1, maxVal = 1 } = opts;
  check(minVal <= maxVal, "hardtanh", () => `minVal ${minVal} must not exceed maxVal ${maxVal}`);
  return where(le(x, minVal), minVal, where(ge(x, maxVal), maxVal, x));
}

/** The identity: returns `x` itself. */
export const identity = (x: Tensor): Tensor => x;
