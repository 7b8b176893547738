// Layer functions of chainrule.nn.functional (linear, layerNorm, batchNorm, dropout, embedding),
// composed from core ops; the Module classes in nn/ hold their parameters and call these.
import { noGrad } from "../../autograd/grad-mode.js";
import { Tensor } from "../../tensor/tensor.js";
import { check, fmtShape } from "../../util/errors.js";
import { nextUniform } from "../../util/random.js";
import { sameShape } from "../../util/shape.js";
import { add, cast, div, eq, indexSelect, mean, mul, reshape, sqrt, sub, where } from "../../ops/index.js";

/** linear is a core primitive (one GEMM whose store step adds the bias): see src/ops/matmul.ts. */
export { linear } from "../../ops/index.js";

interface Affine {
  /** Elementwise scale γ (default none). */
  weight?: Tensor | null;
  /** Elementwise shift β (default none). */
  bias?: Tensor | null;
  /** Added to the variance under the square root (default 1e-5). */
  eps?: number;
}

function affine(op: string, y: Tensor, opts: Affine, shape: readonly number[]): Tensor {
  for (const [name, t] of [
    ["weight", opts.weight],
    ["bias", opts.bias],
  ] as const)
    check(
      !t || t.numel === shape.reduce((p, n) => p * n, 1),
      op,
      () => `${name} must have shape ${fmtShape(shape)}, got ${fmtShape(t!.shape)}`,
    );
  let out = y;
  if (opts.weight) out = mul(out, reshape(opts.weight, shape));
  if (opts.bias) out = add(out, reshape(opts.bias, shape));
  return out;
}

/**
 * Layer normalization over the last k dims: `y = (x - mean)/√(var + eps)·weight + bias`, with the mean
 * and the biased variance of each sample's last k dims.
 * @param normalizedShape the last k dims of x
 * @param opts.weight, opts.bias optional, shape normalizedShape
 */
export function layerNorm(x: Tensor, normalizedShape: number | readonly number[], opts: Affine = {}): Tensor {
  const ns = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
  const k = ns.length;
  check(
    k >= 1 && k <= x.ndim && sameShape(x.shape.slice(x.ndim - k), ns),
    "layerNorm",
    () => `normalizedShape ${fmtShape(ns)} must be the trailing dims of the input ${fmtShape(x.shape)}`,
  );
  const dims = ns.map((_, i) => x.ndim - k + i);
  const d = sub(x, mean(x, dims, { keepdim: true }));
  const variance = mean(mul(d, d), dims, { keepdim: true });
  return affine("layerNorm", div(d, sqrt(add(variance, opts.eps ?? 1e-5))), opts, ns);
}

export interface BatchNormOptions extends Affine {
  /** Batch statistics (and running-buffer updates) when true, running statistics when false (default). */
  training?: boolean;
  /** Weight of the new batch statistic in the running average (default 0.1). */
  momentum?: number;
}

/**
 * Batch normalization per channel (dim 1): `y = (x - μ)/√(σ² + eps)·weight + bias`.
 * Training: μ, σ² (biased) over every dim but 1, with the full backward through both; the running
 * buffers are updated in place, `r ← (1-momentum)·r + momentum·stat`, with the unbiased variance.
 * Eval: μ, σ² are the running buffers.
 * @param x [N, C, *]
 * @param runningMean, runningVar [C] buffers (may be null in training)
 */
export function batchNorm(
  x: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  opts: BatchNormOptions = {},
): Tensor {
  const op = "batchNorm";
  const { training = false, momentum = 0.1, eps = 1e-5 } = opts;
  check(x.ndim >= 2, op, () => `input must be [N, C, *], got shape ${fmtShape(x.shape)}`);
  const c = x.shape[1];
  const chan = x.shape.map((n, i) => (i === 1 ? n : 1));
  for (const [name, t] of [
    ["runningMean", runningMean],
    ["runningVar", runningVar],
  ] as const)
    check(
      !t || sameShape(t.shape, [c]),
      op,
      () => `${name} must have shape [${c}], got ${fmtShape(t!.shape)}`,
    );
  if (!training) {
    check(runningMean && runningVar, op, () => "runningMean and runningVar are required when not training");
    const y = div(sub(x, reshape(runningMean, chan)), sqrt(add(reshape(runningVar, chan), eps)));
    return affine(op, y, opts, chan);
  }
  const n = x.numel / c;
  check(
    n > 1,
    op,
    () => `expected more than 1 value per channel when training, got input of shape ${fmtShape(x.shape)}`,
  );
  const dims = x.shape.map((_, i) => i).filter((i) => i !== 1);
  const mu = mean(x, dims, { keepdim: true });
  const d = sub(x, mu);
  const variance = mean(mul(d, d), dims, { keepdim: true });
  noGrad(() => {
    runningMean?.mul_(1 - momentum).add_(reshape(mu.detach(), [c]), momentum);
    runningVar?.mul_(1 - momentum).add_(reshape(variance.detach(), [c]), (momentum * n) / (n - 1));
  });
  return affine(op, div(d, sqrt(add(variance, eps))), opts, chan);
}

function checkP(op: string, p: number): void {
  check(p >= 0 && p <= 1, op, () => `dropout probability p must lie in [0, 1], got ${p}`);
}

/** Inverted dropout with a given keep-mask: `x·mask/(1-p)`. Used by dropout and by tests. */
export function dropoutWithMask(x: Tensor, mask: Tensor, p: number): Tensor {
  checkP("dropout", p);
  check(mask.dtype === "bool", "dropout", () => `mask must be a bool tensor, got ${mask.dtype}`);
  if (p === 1) return mul(x, 0);
  return mul(x, div(cast(mask, x.dtype), 1 - p));
}

/**
 * Inverted dropout: in training each element is zeroed with probability p (drawn from the seeded
 * generator, see manualSeed) and the survivors are scaled by 1/(1-p), so E[output] = x. Identity when
 * not training or p = 0.
 */
export function dropout(x: Tensor, opts: { p?: number; training?: boolean } = {}): Tensor {
  const { p = 0.5, training = true } = opts;
  checkP("dropout", p);
  if (!training || p === 0) return x;
  const keep = new Uint8Array(x.numel);
  for (let i = 0; i < keep.length; i++) keep[i] = nextUniform() >= p ? 1 : 0;
  return dropoutWithMask(x, Tensor.fromData(keep, x.shape, "bool"), p);
}

/**
 * Lookup table: `out[…, :] = weight[indices[…], :]`. The row `paddingIdx` (negative wraps) is looked
 * up but receives no gradient.
 * @param indices int32, any shape, values in [0, V)
 * @param weight [V, D]
 * Shape: output indices.shape + [D].
 */
export function embedding(
  indices: Tensor,
  weight: Tensor,
  opts: { paddingIdx?: number | null } = {},
): Tensor {
  const op = "embedding";
  check(indices.dtype === "int32", op, () => `indices must be an int32 tensor, got ${indices.dtype}`);
  check(weight.ndim === 2, op, () => `weight must be [V, D], got shape ${fmtShape(weight.shape)}`);
  const [v, dim] = weight.shape;
  const { paddingIdx = null } = opts;
  check(
    paddingIdx === null || (Number.isInteger(paddingIdx) && paddingIdx >= -v && paddingIdx < v),
    op,
    () => `paddingIdx must be an integer in [${-v}, ${v}), got ${paddingIdx}`,
  );
  const flat = reshape(indices, [-1]);
  const data = flat.toTypedArray();
  for (let i = 0; i < data.length; i++)
    check(
      data[i] >= 0 && data[i] < v,
      op,
      () => `index ${data[i]} is out of range for a weight with ${v} rows`,
    );
  let rows = indexSelect(weight, 0, flat);
  if (paddingIdx !== null) {
    const pad = paddingIdx < 0 ? paddingIdx + v : paddingIdx;
    // the padding rows take their values from a detached copy, so no gradient reaches weight[pad]
    rows = where(reshape(eq(flat, pad), [data.length, 1]), rows.detach(), rows);
  }
  return reshape(rows, [...indices.shape, dim]);
}
